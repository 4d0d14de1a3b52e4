using Azure;
using Azure.Data.Tables;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// One player of one app as stored in Table Storage: PartitionKey from the app id (see <see cref="ProfileKeys"/>),
/// RowKey = open id. Holds the WeChat session key, which never leaves the server.
/// </summary>
/// <remarks>
/// Every other row of the table starts its RowKey with <c>~</c> (no id contains it). The kinds, and where they live:
/// <list type="bullet">
/// <item><c>~invited~&lt;new user's open id&gt;</c>, in the inviter's partition: <see cref="InviterCredit"/>'s marker.</item>
/// <item><c>~deleted~&lt;hex SHA-256 of the open id&gt;</c>, in the user's partition: <see cref="TombstoneEntity"/>.</item>
/// <item><c>~&lt;kind&gt;~&lt;open id&gt;~&lt;key&gt;</c>, in the user's partition: every per-user row of a feature (share
/// reports, wallet ledger…), registered in one line of <see cref="UserRowKinds.All"/> so that export and deletion
/// (<see cref="UserRows"/>) find it.</item>
/// <item><c>~share~&lt;open id&gt;~&lt;share_id&gt;</c>: one share report (<see cref="ShareReportEntity"/>).</item>
/// <item><c>~walletkey~&lt;open id&gt;~&lt;idempotency_key&gt;</c> and <c>~wallet~&lt;open id&gt;~&lt;inverted sequence&gt;</c>:
/// a wallet transaction's identity and its ledger entry (<see cref="WalletEntryEntity"/>).</item>
/// </list>
/// </remarks>
public sealed class ProfileEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string AppId { get; set; } = string.Empty;

    public string OpenId { get; set; } = string.Empty;

    public string UnionId { get; set; } = string.Empty;

    public string Pid { get; set; } = string.Empty;

    public string NickName { get; set; } = string.Empty;

    public string AvatarUrl { get; set; } = string.Empty;

    public int Gender { get; set; }

    public string City { get; set; } = string.Empty;

    public string Province { get; set; } = string.Empty;

    public string Country { get; set; } = string.Empty;

    public string Language { get; set; } = string.Empty;

    /// <summary>The gold balance of the wallet (docs/API.md, "Wallet"): 0 to <see cref="WalletLedger.MaxBalance"/>.</summary>
    public long Gold { get; set; }

    /// <summary>The diamond balance of the wallet: 0 to <see cref="WalletLedger.MaxBalance"/>.</summary>
    public long Diamond { get; set; }

    /// <summary>
    /// How many wallet transactions were applied to this user: the sequence number of the latest ledger row
    /// (<see cref="WalletEntryEntity"/>), advanced in the same entity-group transaction as the balance.
    /// </summary>
    public long WalletSequence { get; set; }

    public long ShareNew { get; set; }

    public long ShareTimes { get; set; }

    public long OnlineDays { get; set; }

    public long OnlineDuration { get; set; }

    /// <summary>Unix time in seconds of the latest login.</summary>
    public long LastLoginTime { get; set; }

    public long LoginTimes { get; set; }

    public string FromScene { get; set; } = string.Empty;

    public string FromCode { get; set; } = string.Empty;

    public string Ofp { get; set; } = string.Empty;

    public string LoginProvince { get; set; } = string.Empty;

    public string LoginCity { get; set; } = string.Empty;

    public string LoginDistrict { get; set; } = string.Empty;

    /// <summary>The latest WeChat session_key (base64 as WeChat gave it). Secret.</summary>
    public string SessionKey { get; set; } = string.Empty;

    /// <summary>When <see cref="SessionKey"/> was issued (the time of the login that received it).</summary>
    public DateTimeOffset? SessionKeyIssuedAt { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }

    /// <summary>
    /// The inviter still to be credited with this new user, when the inviter lives in another partition
    /// (partition buckets > 1) and the credit could not be written in the creating transaction.
    /// </summary>
    public string PendingInviter { get; set; } = string.Empty;

    /// <summary>
    /// Unix time in milliseconds of the last login or credited heartbeat of the current play session; null when no
    /// session runs (docs/API.md, "POST /api/play/heartbeat").
    /// </summary>
    public long? PlaySessionLast { get; set; }

    /// <summary>
    /// The last UTC+8 date (ISO <c>yyyy-MM-dd</c>) on which a login or a credited heartbeat counted the user active;
    /// empty on rows written before heartbeats existed, which read it from <see cref="LastLoginTime"/>
    /// (<see cref="ProfileRules.LastActiveDay"/>).
    /// </summary>
    public string LastActiveDay { get; set; } = string.Empty;

    /// <summary>The UTC+8 date (ISO <c>yyyy-MM-dd</c>) that <see cref="SharesOnDay"/> counts; empty before the first share.</summary>
    public string SharesDay { get; set; } = string.Empty;

    /// <summary>Shares counted on <see cref="SharesDay"/>, held to <c>Tianmu__Play__MaxSharesPerDay</c>.</summary>
    public long SharesOnDay { get; set; }

    /// <summary>
    /// The security stamp (docs/API.md, "Tokens"): an opaque random value drawn when the profile is created and written
    /// into every token as <c>stamp</c>; a token validates only against a profile with the same stamp. A profile stored
    /// before stamps existed has none (null or <c>""</c>) and gets one at its next login (<see cref="ProfileRules"/>).
    /// </summary>
    public string SecurityStamp { get; set; } = string.Empty;

    /// <summary>
    /// The name of the user's uploaded avatar image in the avatars container (<c>POST /api/profile/avatar</c>), or empty
    /// when <see cref="AvatarUrl"/> is not an upload. A random name per upload; the previous one is deleted.
    /// </summary>
    public string AvatarBlobName { get; set; } = string.Empty;

    /// <summary>
    /// The <c>trace_id</c> of WeChat's media check of the current uploaded avatar, still awaiting its
    /// <c>wxa_media_check</c> push; empty when none is pending. A result for any other trace id changes nothing.
    /// </summary>
    public string AvatarCheckTraceId { get; set; } = string.Empty;
}
