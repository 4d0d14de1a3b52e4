using Azure;
using Azure.Data.Tables;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// One player of one app as stored in Table Storage: PartitionKey from the app id (see <see cref="ProfileKeys"/>),
/// RowKey = open id. Holds the WeChat session key, which never leaves the server.
/// </summary>
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

    public long Gold { get; set; }

    public long Diamond { get; set; }

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
