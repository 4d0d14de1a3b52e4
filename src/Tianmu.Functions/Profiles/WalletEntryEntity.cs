using Azure;
using Azure.Data.Tables;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// One applied wallet transaction (docs/API.md, "Wallet"), stored twice in the user's partition (the profile's
/// PartitionKey, <see cref="ProfileKeys"/>) and written in the same entity-group transaction as the balance:
/// <list type="bullet">
/// <item><b>Idempotency row</b>, RowKey <c>~walletkey~&lt;open_id&gt;~&lt;idempotency_key&gt;</c>: the transaction's
/// identity. Its add fails when the key was used before, so a transaction lands at most once; a replay reads it with
/// one point read and answers it.</item>
/// <item><b>Ledger row</b>, RowKey <c>~wallet~&lt;open_id&gt;~&lt;19 digits of long.MaxValue − sequence&gt;</c>, where
/// sequence is <see cref="ProfileEntity.WalletSequence"/> after the transaction (1, 2, …): RowKey order is newest
/// first, unique per user (the profile's ETag makes each sequence number land once), and the user's ledger is one
/// RowKey range that a cursor cannot leave.</item>
/// </list>
/// Open ids contain no <c>~</c>, so one user's range never holds another user's rows, even when one id is a prefix
/// of another.
/// </summary>
public sealed class WalletEntryEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string OpenId { get; set; } = string.Empty;

    /// <summary>The idempotency key the studio's server sent: the transaction's id.</summary>
    public string TransactionId { get; set; } = string.Empty;

    /// <summary><c>gold</c> or <c>diamond</c>.</summary>
    public string Currency { get; set; } = string.Empty;

    /// <summary>The change, positive for a credit; never 0, at most 1,000,000,000 in absolute value.</summary>
    public long Delta { get; set; }

    public string Reason { get; set; } = string.Empty;

    /// <summary>The balance of <see cref="Currency"/> after this transaction.</summary>
    public long Balance { get; set; }

    /// <summary>Unix time in seconds when the transaction was applied.</summary>
    public long CreatedAt { get; set; }

    /// <summary>The user's <see cref="ProfileEntity.WalletSequence"/> after this transaction.</summary>
    public long Sequence { get; set; }

    /// <summary>A copy of this entry under another RowKey (the ledger row of an idempotency row).</summary>
    public WalletEntryEntity WithRowKey(string rowKey) => new()
    {
        PartitionKey = PartitionKey,
        RowKey = rowKey,
        OpenId = OpenId,
        TransactionId = TransactionId,
        Currency = Currency,
        Delta = Delta,
        Reason = Reason,
        Balance = Balance,
        CreatedAt = CreatedAt,
        Sequence = Sequence,
    };
}
