using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// What services do with profiles, in their terms: find one, change one, create-or-update one at login. Keys,
/// ETags, retries and the inviter's entity-group transaction stay here (docs/API.md, "Storage").
/// </summary>
public sealed partial class ProfileRepository(
    ProfileStore store, ProfileKeys keys, OptimisticConcurrency concurrency, InviterCredit inviters, UserRows userRows, AccountTombstones tombstones, ILogger<ProfileRepository> logger)
{
    /// <summary>Most actions of one entity-group transaction (Table Storage).</summary>
    public const int MaxTransactionActions = 100;

    /// <summary>The profile of one user of one app, or null.</summary>
    public Task<ProfileEntity?> FindAsync(string appId, string openId, CancellationToken cancellationToken) =>
        store.GetAsync(keys.PartitionKey(appId, openId), openId, cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to the profile and writes it conditionally, retrying on a lost race from a
    /// fresh read (the first attempt uses <paramref name="current"/> as read). <paramref name="change"/> runs once per
    /// attempt, on the row about to be written, and returns false when nothing changed (then nothing is written).
    /// </summary>
    /// <returns>The profile as written, or null when it no longer exists.</returns>
    /// <exception cref="Http.ApiException">503 <c>upstream_unavailable</c> when storage fails or the row stays too busy;
    /// whatever <paramref name="change"/> throws.</exception>
    public Task<ProfileEntity?> UpdateAsync(ProfileEntity current, Func<ProfileEntity, bool> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(change);
        return concurrency.RunAsync(current.AppId, async attempt =>
        {
            var row = attempt == 0 ? current : await store.GetAsync(current.PartitionKey, current.RowKey, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                return WriteAttempt.Done<ProfileEntity?>(null);
            }

            if (!change(row))
            {
                return WriteAttempt.Done<ProfileEntity?>(row);
            }

            return await store.TryReplaceAsync(row, cancellationToken).ConfigureAwait(false)
                ? WriteAttempt.Done<ProfileEntity?>(row)
                : WriteAttempt.Conflict<ProfileEntity?>();
        }, cancellationToken);
    }

    /// <summary>
    /// Records a row of the user exactly once, together with the change it makes to the profile: each attempt applies
    /// <paramref name="change"/> to the profile about to be written (the first attempt to <paramref name="current"/> as
    /// read, later ones to a fresh read), and adds the row it returns in one entity-group transaction with the profile's
    /// conditional replace: both or neither. When a row with that key exists already (an earlier report, or a concurrent
    /// one that won), nothing changes and the stored row is answered. The row's keys are set here: the profile's
    /// partition, RowKey <paramref name="rowKey"/> (it must start with <c>~</c>, see <see cref="ProfileEntity"/>).
    /// </summary>
    /// <returns>The row as recorded (now or before), or null when the profile no longer exists.</returns>
    /// <exception cref="Http.ApiException">503 <c>upstream_unavailable</c> when storage fails or the profile stays too busy.</exception>
    public Task<T?> RecordOnceAsync<T>(ProfileEntity current, string rowKey, Func<ProfileEntity, T> change, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(rowKey);
        ArgumentNullException.ThrowIfNull(change);
        if (!rowKey.StartsWith('~'))
        {
            throw new ArgumentException("Rows beside a profile have RowKeys starting with '~'.", nameof(rowKey));
        }

        return concurrency.RunAsync(current.AppId, async attempt =>
        {
            var profile = attempt == 0 ? current : await store.GetAsync(current.PartitionKey, current.RowKey, cancellationToken).ConfigureAwait(false);
            if (profile is null)
            {
                return WriteAttempt.Done<T?>(null);
            }

            var row = change(profile);
            row.PartitionKey = profile.PartitionKey;
            row.RowKey = rowKey;
            TableTransactionAction[] actions =
            [
                new(TableTransactionActionType.Add, row),
                new(TableTransactionActionType.UpdateReplace, profile, profile.ETag),
            ];
            if (await store.TrySubmitAsync(actions, cancellationToken).ConfigureAwait(false))
            {
                return WriteAttempt.Done<T?>(row);
            }

            // The row exists (409) or the profile changed (412): a row that exists answers; else read again and retry.
            var recorded = await store.GetRowAsync<T>(profile.PartitionKey, rowKey, cancellationToken).ConfigureAwait(false);
            return recorded is not null ? WriteAttempt.Done<T?>(recorded) : WriteAttempt.Conflict<T?>();
        }, cancellationToken);
    }

    /// <summary>
    /// A login's write: <paramref name="update"/> the existing profile, or add the one <paramref name="create"/> makes
    /// and credit its inviter exactly once (in the same transaction when both share a partition; else through a
    /// debt recorded on the new profile and paid idempotently, now or by a later login).
    /// </summary>
    /// <param name="appId">The app.</param>
    /// <param name="openId">The user; the RowKey of the profile.</param>
    /// <param name="create">Makes the new profile (keys are set here).</param>
    /// <param name="update">Applies this login to an existing profile; runs once per attempt on a fresh read.</param>
    /// <param name="inviterId">The login's <c>inviter</c> field, as sent.</param>
    /// <param name="cancellationToken">The request budget's token.</param>
    public Task<(ProfileEntity Profile, bool IsNew)> UpsertAsync(
        string appId, string openId, Func<ProfileEntity> create, Action<ProfileEntity> update, string? inviterId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(update);
        var partitionKey = keys.PartitionKey(appId, openId);
        return concurrency.RunAsync(appId, async _ =>
        {
            var existing = await store.GetAsync(partitionKey, openId, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                update(existing);
                if (existing.PendingInviter.Length > 0
                    && await inviters.CreditAcrossPartitionsAsync(appId, existing.PendingInviter, openId, cancellationToken).ConfigureAwait(false))
                {
                    existing.PendingInviter = string.Empty;
                }

                return await store.TryReplaceAsync(existing, cancellationToken).ConfigureAwait(false)
                    ? WriteAttempt.Done<(ProfileEntity, bool)>((existing, false))
                    : WriteAttempt.Conflict<(ProfileEntity, bool)>();
            }

            var created = create();
            created.PartitionKey = partitionKey;
            created.RowKey = openId;
            var inviter = await inviters.FindInviterAsync(appId, inviterId, openId, cancellationToken).ConfigureAwait(false);
            if (inviter is not null && await tombstones.ExistsAsync(partitionKey, openId, cancellationToken).ConfigureAwait(false))
            {
                // A profile created again after its account was deleted credits no inviter (docs/API.md, "POST /api/login").
                inviter = null;
            }

            if (inviter is null)
            {
                return await store.TryAddAsync(created, cancellationToken).ConfigureAwait(false)
                    ? WriteAttempt.Done<(ProfileEntity, bool)>((created, true))
                    : WriteAttempt.Conflict<(ProfileEntity, bool)>();
            }

            if (inviter.PartitionKey == partitionKey)
            {
                return await inviters.TryAddWithCreditAsync(created, inviter, cancellationToken).ConfigureAwait(false)
                    ? WriteAttempt.Done<(ProfileEntity, bool)>((created, true))
                    : WriteAttempt.Conflict<(ProfileEntity, bool)>();
            }

            // Another partition: record the debt with the new user, then pay it; a failure is paid by the next login.
            created.PendingInviter = inviter.OpenId;
            if (!await store.TryAddAsync(created, cancellationToken).ConfigureAwait(false))
            {
                return WriteAttempt.Conflict<(ProfileEntity, bool)>();
            }

            // The profile is written: this login created it and answers is_new whatever happens to the credit now.
            try
            {
                await inviters.CreditAcrossPartitionsAsync(appId, inviter.OpenId, openId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is ApiException { Code: ApiErrorCode.UpstreamUnavailable } or OperationCanceledException)
            {
                LogCreditDeferred(logger, appId);
            }

            return WriteAttempt.Done<(ProfileEntity, bool)>((created, true));
        }, cancellationToken);
    }

    [LoggerMessage(EventId = 13023, Level = LogLevel.Warning, Message = "An inviter credit in app {AppId} failed after the new profile was written; a later login of the new user pays it")]
    private static partial void LogCreditDeferred(ILogger logger, string appId);

    /// <summary>Everything stored about one user (see <see cref="UserRows"/>).</summary>
    public Task<UserRowSet> ListUserRowsAsync(string appId, string openId, CancellationToken cancellationToken) =>
        userRows.ListAsync(appId, openId, cancellationToken);

    /// <summary>
    /// Deletes every row of the user (profile, every registered kind of row, the inviter markers naming the user) and
    /// records a tombstone (docs/API.md, "DELETE /api/account"). The profile, the tombstone and the last up to 98 other
    /// rows go in one entity-group transaction; a user with more rows loses the others in earlier transactions, so that
    /// the profile goes last and a failure part-way leaves an account that can be deleted again. Every delete is
    /// conditional on the ETag read; a row that changed meanwhile starts the attempt over from a fresh read.
    /// </summary>
    /// <returns>False when nothing of the user was stored (nothing was written).</returns>
    /// <exception cref="Http.ApiException">503 <c>upstream_unavailable</c> when storage fails or the rows stay too busy.</exception>
    public Task<bool> DeleteUserAsync(string appId, string openId, DateTimeOffset deletedAt, CancellationToken cancellationToken) =>
        concurrency.RunAsync(appId, async _ =>
        {
            var rows = await userRows.ListAsync(appId, openId, cancellationToken).ConfigureAwait(false);
            if (rows.Profile is null && rows.Owned.Count == 0)
            {
                return WriteAttempt.Done(false);
            }

            // The markers live in other partitions; without the profile they only name the user.
            foreach (var marker in rows.InviterMarkers)
            {
                await store.TryDeleteAsync(marker, cancellationToken).ConfigureAwait(false);
            }

            var partitionKey = keys.PartitionKey(appId, openId);
            var deletes = rows.Owned.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row.Row, row.Row.ETag)).ToList();
            var last = MaxTransactionActions - 1 - (rows.Profile is null ? 0 : 1);
            while (deletes.Count > last)
            {
                var size = Math.Min(MaxTransactionActions, deletes.Count);
                if (!await store.TrySubmitAsync(deletes.GetRange(0, size), cancellationToken).ConfigureAwait(false))
                {
                    return WriteAttempt.Conflict<bool>();
                }

                deletes.RemoveRange(0, size);
            }

            if (rows.Profile is { } profile)
            {
                deletes.Add(new TableTransactionAction(TableTransactionActionType.Delete, profile, profile.ETag));
            }

            deletes.Add(await tombstones.RecordAsync(partitionKey, appId, openId, deletedAt, cancellationToken).ConfigureAwait(false));
            return await store.TrySubmitAsync(deletes, cancellationToken).ConfigureAwait(false)
                ? WriteAttempt.Done(true)
                : WriteAttempt.Conflict<bool>();
        }, cancellationToken);
}
