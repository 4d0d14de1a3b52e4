using Azure;
using Azure.Data.Tables;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// One share report of one user (docs/API.md, "POST /api/play/share"): PartitionKey = the user's partition, RowKey =
/// <see cref="RowKeyOf"/> (<c>~share~&lt;open id&gt;~&lt;share_id&gt;</c>). Added in the same entity-group transaction as the
/// profile's <c>share_times</c>, so a share counts exactly once; it keeps the first report's answer for every repeat.
/// </summary>
public sealed class ShareReportEntity : ITableEntity
{
    /// <summary>RowKey prefix of share reports; <c>~</c> appears in no id, so a report never collides with a profile.</summary>
    public const string RowKeyPrefix = "~share~";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>Whether the first report added 1 to <c>share_times</c> (false: the daily cap was reached).</summary>
    public bool Counted { get; set; }

    /// <summary>The user's <c>share_times</c> as the first report answered it.</summary>
    public long ShareTimes { get; set; }

    /// <summary>When the first report arrived (server clock).</summary>
    public DateTimeOffset ReportedAt { get; set; }

    /// <summary>The first report's <c>scene</c>, up to 64 characters; empty when absent.</summary>
    public string Scene { get; set; } = string.Empty;

    /// <summary>
    /// The RowKey of <paramref name="shareId"/> reported by <paramref name="openId"/>. Both are <c>[A-Za-z0-9_-]</c> only, so
    /// the key is unambiguous and legal in Table Storage.
    /// </summary>
    public static string RowKeyOf(string openId, string shareId) => RowKeyPrefix + openId + "~" + shareId;
}
