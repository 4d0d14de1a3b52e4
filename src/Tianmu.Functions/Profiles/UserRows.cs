using Azure.Data.Tables;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// A kind of row that belongs to one user besides the profile (docs/API.md, "Storage"; docs/PRIVACY.md).
/// </summary>
/// <remarks>
/// The convention every such row follows, so that export and deletion find it without knowing its feature: it lives
/// in the user's partition (<see cref="ProfileKeys.PartitionKey"/>) and its RowKey is
/// <c>~&lt;kind&gt;~&lt;open id&gt;~&lt;the row's own key&gt;</c>. <c>~</c> appears in no id, so the prefix of one user
/// never matches another user's rows (<c>~share~abc~</c> is not a prefix of <c>~share~abcd~…</c>), and a range query
/// over the prefix reads exactly that user's rows of that kind.
/// </remarks>
/// <param name="Name">The kind, as written in the RowKey (<c>share</c>, <c>wallet</c>…); letters only.</param>
public sealed record UserRowKind(string Name)
{
    /// <summary>The RowKey prefix of this kind's rows of one user: <c>~&lt;kind&gt;~&lt;open id&gt;~</c>.</summary>
    public string PrefixOf(string openId) => $"~{Name}~{openId}~";

    /// <summary>The RowKey of one row of this kind: <see cref="PrefixOf"/> followed by the row's own key.</summary>
    public string RowKey(string openId, string key) => PrefixOf(openId) + key;
}

/// <summary>
/// Every kind of per-user row. A feature that adds a kind registers it here, in one line of <see cref="All"/>, and
/// export and deletion (<see cref="UserRows"/>) then cover it.
/// </summary>
public static class UserRowKinds
{
    /// <summary>Share reports of <c>POST /api/play/share</c>: <c>~share~&lt;open id&gt;~&lt;share_id&gt;</c>.</summary>
    public static readonly UserRowKind Share = new("share");

    /// <summary>Wallet ledger entries: <c>~wallet~&lt;open id&gt;~&lt;19 digits of the inverted sequence&gt;</c>.</summary>
    public static readonly UserRowKind Wallet = new("wallet");

    /// <summary>Wallet transaction identities: <c>~walletkey~&lt;open id&gt;~&lt;idempotency_key&gt;</c>.</summary>
    public static readonly UserRowKind WalletKey = new("walletkey");

    /// <summary>Every registered kind.</summary>
    public static IReadOnlyList<UserRowKind> All { get; } =
    [
        Share,
        Wallet,
        WalletKey,
    ];
}

/// <summary>Everything stored about one user, as read by <see cref="UserRows.ListAsync"/>.</summary>
/// <param name="Profile">The profile, or null when it does not exist (any more).</param>
/// <param name="Owned">The user's other rows in the user's partition, by kind.</param>
/// <param name="InviterMarkers">
/// The <c>~invited~&lt;open id&gt;</c> markers of <see cref="InviterCredit"/>: they name this user but live in the
/// inviter's partition (any partition of the app).
/// </param>
public sealed record UserRowSet(ProfileEntity? Profile, IReadOnlyList<(UserRowKind Kind, TableEntity Row)> Owned, IReadOnlyList<TableEntity> InviterMarkers)
{
    /// <summary>True when nothing of the user is stored.</summary>
    public bool IsEmpty => Profile is null && Owned.Count == 0 && InviterMarkers.Count == 0;

    /// <summary>The user's rows of one kind, in RowKey order.</summary>
    public IEnumerable<TableEntity> OfKind(UserRowKind kind) => Owned.Where(row => row.Kind == kind).Select(row => row.Row);
}

/// <summary>The one place that lists a user's rows (the convention of <see cref="UserRowKind"/>).</summary>
public sealed class UserRows(ProfileStore store, ProfileKeys keys)
{
    /// <summary>Reads the profile, every registered kind's rows and the inviter markers naming the user.</summary>
    /// <exception cref="Http.ApiException">503 <c>upstream_unavailable</c> when storage fails.</exception>
    public async Task<UserRowSet> ListAsync(string appId, string openId, CancellationToken cancellationToken)
    {
        var partitionKey = keys.PartitionKey(appId, openId);
        var profile = store.GetAsync(partitionKey, openId, cancellationToken);
        var kinds = UserRowKinds.All.Select(async kind =>
        {
            var prefix = kind.PrefixOf(openId);
            // The prefix ends with '~' (0x7E); every key that starts with it sorts above the prefix itself (no row's key is
            // the bare prefix) and below the prefix with 0x7F instead.
            var rows = await store.QueryRangeAsync<TableEntity>(partitionKey, prefix, prefix[..^1] + '\u007f', count: null, cancellationToken).ConfigureAwait(false);
            return rows.Select(row => (kind, row));
        }).ToList();
        var markers = keys.AllPartitionKeys(appId)
            .Select(partition => store.GetRowAsync<TableEntity>(partition, InviterCredit.MarkerPrefix + openId, cancellationToken))
            .ToList();
        var owned = (await Task.WhenAll(kinds).ConfigureAwait(false)).SelectMany(rows => rows).ToList();
        var found = (await Task.WhenAll(markers).ConfigureAwait(false)).OfType<TableEntity>().ToList();
        return new UserRowSet(await profile.ConfigureAwait(false), owned, found);
    }
}
