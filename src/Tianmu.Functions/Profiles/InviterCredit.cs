using Azure.Data.Tables;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// The inviter's reward for a new user (docs/API.md, "POST /api/login"): +1 <c>share_new</c>, exactly once under
/// retries, crashes and concurrent logins. In the new user's partition the credit rides in the creating transaction;
/// across partitions it is an entity-group transaction in the inviter's partition that adds a marker row
/// <c>~invited~&lt;new open id&gt;</c> beside the increment, so that a second attempt finds the marker and stops.
/// </summary>
public sealed class InviterCredit(ProfileStore store, ProfileKeys keys)
{
    /// <summary>RowKey prefix of the marker rows; <c>~</c> appears in no id, so a marker never collides with a profile.</summary>
    public const string MarkerPrefix = "~invited~";

    /// <summary>
    /// The profile to credit for a new user, or null when the field names nobody usable: absent, the user's own id,
    /// an illegal id, or no profile of the same app (an attribution field never blocks a login).
    /// </summary>
    public async Task<ProfileEntity?> FindInviterAsync(string appId, string? inviterId, string newUserId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(inviterId) || inviterId == newUserId || !ProfileKeys.IsLegalId(inviterId))
        {
            return null;
        }

        return await store.GetAsync(keys.PartitionKey(appId, inviterId), inviterId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds the new profile and credits an inviter of the same partition in one entity-group transaction: both or
    /// neither. False when either row changed since it was read.
    /// </summary>
    public Task<bool> TryAddWithCreditAsync(ProfileEntity created, ProfileEntity inviter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(inviter);
        inviter.ShareNew++;
        TableTransactionAction[] actions =
        [
            new(TableTransactionActionType.Add, created),
            new(TableTransactionActionType.UpdateReplace, inviter, inviter.ETag),
        ];
        return store.TrySubmitAsync(actions, cancellationToken);
    }

    /// <summary>
    /// Credits an inviter in another partition for <paramref name="newUserId"/>, idempotently (the marker row). True once
    /// credited (now or before) or when the inviter no longer exists; false when the inviter stayed too busy.
    /// </summary>
    public async Task<bool> CreditAcrossPartitionsAsync(string appId, string inviterId, string newUserId, CancellationToken cancellationToken)
    {
        var partitionKey = keys.PartitionKey(appId, inviterId);
        var markerKey = MarkerPrefix + newUserId;
        var credit = await OptimisticConcurrency.TryRunAsync(async _ =>
            {
                var inviter = await store.GetAsync(partitionKey, inviterId, cancellationToken).ConfigureAwait(false);
                if (inviter is null)
                {
                    return WriteAttempt.Done<bool>(true);
                }

                inviter.ShareNew++;
                TableTransactionAction[] actions =
                [
                    new(TableTransactionActionType.Add, new TableEntity(partitionKey, markerKey)),
                    new(TableTransactionActionType.UpdateReplace, inviter, inviter.ETag),
                ];
                return await store.TrySubmitAsync(actions, cancellationToken).ConfigureAwait(false)
                       || await store.ExistsAsync(partitionKey, markerKey, cancellationToken).ConfigureAwait(false)
                    ? WriteAttempt.Done<bool>(true)
                    : WriteAttempt.Conflict<bool>();
            }, cancellationToken).ConfigureAwait(false);
        return credit.Landed;
    }
}
