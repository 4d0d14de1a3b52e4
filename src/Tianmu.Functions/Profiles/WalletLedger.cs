using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Profiles;

/// <summary>A wallet transaction to apply, already validated (docs/API.md, "POST /api/server/apps/{app_id}/wallet/transactions").</summary>
/// <param name="AppId">The app named in the route.</param>
/// <param name="OpenId">The user.</param>
/// <param name="Currency"><see cref="WalletLedger.Gold"/> or <see cref="WalletLedger.Diamond"/>.</param>
/// <param name="Delta">The change; positive credits, negative debits.</param>
/// <param name="Reason">1–64 characters, stored as sent.</param>
/// <param name="IdempotencyKey">The transaction's identity for this user.</param>
/// <param name="CreatedAt">Unix seconds to record if the transaction is applied now.</param>
public sealed record WalletPosting(string AppId, string OpenId, string Currency, long Delta, string Reason, string IdempotencyKey, long CreatedAt);

/// <summary>What a posting came to.</summary>
public enum WalletOutcomeKind
{
    /// <summary>Applied now.</summary>
    Applied,

    /// <summary>Applied before with the same body; nothing changed now.</summary>
    Replayed,

    /// <summary>The key was applied before with another body; nothing changed.</summary>
    IdempotencyConflict,

    /// <summary>The debit is larger than the balance; nothing changed.</summary>
    InsufficientFunds,

    /// <summary>The credit would pass <see cref="WalletLedger.MaxBalance"/>; nothing changed.</summary>
    BalanceLimit,

    /// <summary>The user has no profile; nothing changed.</summary>
    UnknownUser,
}

/// <summary>The outcome of a posting and, when applied or replayed, the stored entry.</summary>
public sealed record WalletOutcome(WalletOutcomeKind Kind, WalletEntryEntity? Entry = null);

/// <summary>One page of a user's ledger, newest first, and the cursor of the next page (null on the last).</summary>
public sealed record WalletPage(IReadOnlyList<WalletEntryEntity> Entries, string? Next);

/// <summary>
/// The wallet's storage (docs/API.md, "Wallet" and "Storage"): each transaction changes the profile's balance and adds
/// its idempotency row and ledger row (<see cref="WalletEntryEntity"/>) in one entity-group transaction, conditional on
/// the profile's ETag, inside <see cref="OptimisticConcurrency"/>'s loop. Exactly once: the idempotency row can be
/// added only once, and a lost race or a failed write changes nothing and is retried from a fresh read.
/// </summary>
public sealed class WalletLedger(ProfileStore store, ProfileKeys keys, OptimisticConcurrency concurrency)
{
    /// <summary>The largest balance: 2^53 − 1, the largest integer JavaScript holds exactly.</summary>
    public const long MaxBalance = 9_007_199_254_740_991;

    /// <summary>Currency names of the contract.</summary>
    public const string Gold = "gold", Diamond = "diamond";

    /// <summary>RowKey prefix of ledger rows (followed by the open id, <c>~</c>, the inverted sequence).</summary>
    public const string LedgerPrefix = "~wallet~";

    /// <summary>RowKey prefix of idempotency rows (followed by the open id, <c>~</c>, the idempotency key).</summary>
    public const string KeyPrefix = "~walletkey~";

    private const int SequenceDigits = 19;

    // Transactions of one user queue here within an instance instead of racing for the profile's ETag: the ETag
    // still decides between instances (and against logins), but 100 concurrent transactions of one user no longer
    // spend their attempts losing to each other. Striped: bounded memory whatever the number of users.
    private readonly SemaphoreSlim[] _gates = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>The RowKey of a user's ledger row with this sequence number.</summary>
    public static string LedgerRowKey(string openId, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{LedgerPrefix}{openId}~{long.MaxValue - sequence:D19}");

    /// <summary>The RowKey of a user's idempotency row.</summary>
    public static string KeyRowKey(string openId, string idempotencyKey) => KeyPrefix + openId + "~" + idempotencyKey;

    /// <summary>Applies <paramref name="posting"/> exactly once, or says why not; nothing changes unless applied.</summary>
    /// <exception cref="ApiException">503 <c>upstream_unavailable</c> when storage fails (nothing changed, or the
    /// transaction landed and a retry with the same key answers it) or the profile stays too busy.</exception>
    public async Task<WalletOutcome> PostAsync(WalletPosting posting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(posting);
        var partitionKey = keys.PartitionKey(posting.AppId, posting.OpenId);
        var keyRowKey = KeyRowKey(posting.OpenId, posting.IdempotencyKey);
        var gate = _gates[(int)((uint)StringComparer.Ordinal.GetHashCode(posting.OpenId) % (uint)_gates.Length)];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await concurrency.RunAsync(posting.AppId, async _ =>
            {
                var existingRead = store.GetRowAsync<WalletEntryEntity>(partitionKey, keyRowKey, cancellationToken);
                var profileRead = store.GetAsync(partitionKey, posting.OpenId, cancellationToken);
                await Task.WhenAll(existingRead, profileRead).ConfigureAwait(false);
                var existing = await existingRead.ConfigureAwait(false);
                var profile = await profileRead.ConfigureAwait(false);
                if (existing is not null)
                {
                    return WriteAttempt.Done(new WalletOutcome(Matches(existing, posting) ? WalletOutcomeKind.Replayed : WalletOutcomeKind.IdempotencyConflict, existing));
                }

                if (profile is null)
                {
                    return WriteAttempt.Done(new WalletOutcome(WalletOutcomeKind.UnknownUser));
                }

                var isGold = posting.Currency == Gold;
                var balance = (isGold ? profile.Gold : profile.Diamond) + posting.Delta;
                if (balance < 0)
                {
                    return WriteAttempt.Done(new WalletOutcome(WalletOutcomeKind.InsufficientFunds));
                }

                if (balance > MaxBalance)
                {
                    return WriteAttempt.Done(new WalletOutcome(WalletOutcomeKind.BalanceLimit));
                }

                if (isGold)
                {
                    profile.Gold = balance;
                }
                else
                {
                    profile.Diamond = balance;
                }

                profile.WalletSequence++;
                var entry = new WalletEntryEntity
                {
                    PartitionKey = partitionKey,
                    RowKey = keyRowKey,
                    OpenId = posting.OpenId,
                    TransactionId = posting.IdempotencyKey,
                    Currency = posting.Currency,
                    Delta = posting.Delta,
                    Reason = posting.Reason,
                    Balance = balance,
                    CreatedAt = posting.CreatedAt,
                    Sequence = profile.WalletSequence,
                };
                TableTransactionAction[] actions =
                [
                    new(TableTransactionActionType.UpdateReplace, profile, profile.ETag),
                    new(TableTransactionActionType.Add, entry),
                    new(TableTransactionActionType.Add, entry.WithRowKey(LedgerRowKey(posting.OpenId, profile.WalletSequence))),
                ];
                return await store.TrySubmitAsync(actions, cancellationToken).ConfigureAwait(false)
                    ? WriteAttempt.Done(new WalletOutcome(WalletOutcomeKind.Applied, entry))
                    : WriteAttempt.Conflict<WalletOutcome>();
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Up to <paramref name="pageSize"/> ledger entries of <paramref name="owner"/>, newest first, after
    /// <paramref name="cursor"/> (a <see cref="WalletPage.Next"/> of an earlier page). The RowKey range always comes
    /// from <paramref name="owner"/>: a cursor only says where in that user's ledger to continue, so it can never
    /// select another user's rows.
    /// </summary>
    /// <exception cref="ApiException">400 <c>invalid_request</c> for a cursor this class did not make; 503 when storage fails.</exception>
    public async Task<WalletPage> ReadAsync(ProfileEntity owner, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var prefix = LedgerPrefix + owner.OpenId + "~";
        var after = cursor is null ? prefix : prefix + DecodeCursor(cursor);
        var rows = await store.QueryRangeAsync<WalletEntryEntity>(owner.PartitionKey, after, prefix + "~", pageSize + 1, cancellationToken).ConfigureAwait(false);
        if (rows.Count <= pageSize)
        {
            return new WalletPage(rows, null);
        }

        var page = rows.Take(pageSize).ToList();
        return new WalletPage(page, EncodeCursor(page[^1].RowKey[prefix.Length..]));
    }

    private static bool Matches(WalletEntryEntity entry, WalletPosting posting) =>
        entry.OpenId == posting.OpenId && entry.Currency == posting.Currency && entry.Delta == posting.Delta
        && string.Equals(entry.Reason, posting.Reason, StringComparison.Ordinal);

    // The cursor is base64url of the inverted sequence of the page's last row: opaque to clients, and checked to be
    // exactly 19 digits, so that whatever a client sends stays inside the owner's RowKey range.
    private static string EncodeCursor(string invertedSequence) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(invertedSequence));

    private static string DecodeCursor(string cursor)
    {
        Span<byte> bytes = stackalloc byte[32];
        // Base64Url.TryDecodeFromChars throws on characters outside the alphabet: check them first.
        if (cursor.Length is 0 or > 40
            || !Base64Url.IsValid(cursor.AsSpan(), out var decodedLength)
            || decodedLength != SequenceDigits
            || !Base64Url.TryDecodeFromChars(cursor, bytes, out var written)
            || written != SequenceDigits
            || bytes[..written].ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            throw ApiException.InvalidRequest("cursor must be the next value of an earlier page.");
        }

        return Encoding.ASCII.GetString(bytes[..written]);
    }
}
