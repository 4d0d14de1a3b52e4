using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// What remains of a deleted account (docs/API.md, "DELETE /api/account"; docs/PRIVACY.md): in the user's partition,
/// RowKey <c>~deleted~&lt;lowercase hex SHA-256 of the UTF-8 open id&gt;</c>, holding only the app id, that hash and the
/// time of the (latest) deletion. No open id in clear, no other personal data.
/// </summary>
public sealed class TombstoneEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string AppId { get; set; } = string.Empty;

    /// <summary>Lowercase hex SHA-256 of the UTF-8 open id.</summary>
    public string OpenIdSha256 { get; set; } = string.Empty;

    /// <summary>When the account was (last) deleted.</summary>
    public DateTimeOffset DeletedAt { get; set; }
}

/// <summary>
/// The tombstones of deleted accounts: a login that creates a profile again finds one and credits no inviter
/// (docs/API.md, "POST /api/login": "A profile created again after its account was deleted credits no inviter").
/// </summary>
public sealed class AccountTombstones(ProfileStore store)
{
    /// <summary>RowKey prefix of tombstones.</summary>
    public const string Prefix = "~deleted~";

    /// <summary>Lowercase hex SHA-256 of the UTF-8 open id.</summary>
    public static string HashOf(string openId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(openId)));

    /// <summary>The tombstone's RowKey for a user.</summary>
    public static string RowKeyOf(string openId) => Prefix + HashOf(openId);

    /// <summary>True when an account of this user was deleted before.</summary>
    public Task<bool> ExistsAsync(string partitionKey, string openId, CancellationToken cancellationToken) =>
        store.ExistsAsync(partitionKey, RowKeyOf(openId), cancellationToken);

    /// <summary>
    /// The transaction action that records a deletion now: an add, or a replace conditional on the ETag of the tombstone
    /// of an earlier deletion.
    /// </summary>
    public async Task<TableTransactionAction> RecordAsync(string partitionKey, string appId, string openId, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        var rowKey = RowKeyOf(openId);
        var existing = await store.GetRowAsync<TableEntity>(partitionKey, rowKey, cancellationToken).ConfigureAwait(false);
        var tombstone = new TombstoneEntity
        {
            PartitionKey = partitionKey,
            RowKey = rowKey,
            AppId = appId,
            OpenIdSha256 = HashOf(openId),
            DeletedAt = deletedAt,
        };
        return existing is null
            ? new TableTransactionAction(TableTransactionActionType.Add, tombstone)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, tombstone, existing.ETag);
    }
}
