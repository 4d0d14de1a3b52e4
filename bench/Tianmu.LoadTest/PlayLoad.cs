using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Tianmu.Functions.Profiles;

namespace Tianmu.LoadTest;

/// <summary>
/// Heartbeats and share reports in the load run (docs/PERFORMANCE.md, "Play time and shares"), each interleaved with
/// the bare storage work it needs: a credited beat is one read and one conditional replace, a beat inside the minimum
/// interval one read, a share report one read and one entity-group transaction (the report row added, the profile
/// replaced conditionally).
/// </summary>
internal static class PlayLoad
{
    /// <summary>
    /// The host's minimum interval in the load run: long enough that a beat soon after the returning login is inside
    /// it, short enough to wait for before the credited beats. The maximum gap is an hour, so that nothing expires.
    /// </summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan MaxGap = TimeSpan.FromHours(1);

    /// <summary>
    /// Beats inside the minimum interval, against a bare point read: each timed beat follows an untimed one of the same
    /// user, so it lands inside the interval however slow the machine is.
    /// </summary>
    public static async Task EarlyBeatsAsync(HttpClient http, TableClient bare, string[] jwts, string[] partitions, string[] openIds, int count, int concurrency, Action<PhaseResult> report)
    {
        var (beats, reads) = await InterleavedPhase.RunAsync(
            Names.EarlyBeat, i => BeatAsync(http, jwts[i], credited: false),
            Names.BareRead, async i =>
            {
                var row = await bare.GetEntityIfExistsAsync<ProfileEntity>(partitions[i], openIds[i]).ConfigureAwait(false);
                return row.HasValue ? null : "bare row missing";
            },
            count,
            concurrency,
            i => BeatAsync(http, jwts[i], credited: null)).ConfigureAwait(false);
        report(beats);
        report(reads);
    }

    /// <summary>Credited beats against a bare read and conditional replace; then share reports against a bare read and transaction.</summary>
    public static async Task CreditedBeatsAndSharesAsync(
        HttpClient http, TableClient bare, string[] jwts, string[] partitions, string[] openIds, string prefix, int count, int concurrency, Action<PhaseResult> report)
    {
        var (beats, replaces) = await InterleavedPhase.RunAsync(
            Names.CreditedBeat, i => BeatAsync(http, jwts[i], credited: true),
            Names.BareBeat, async i =>
            {
                var entity = (await bare.GetEntityAsync<ProfileEntity>(partitions[i], openIds[i]).ConfigureAwait(false)).Value;
                entity.OnlineDuration += 60;
                entity.PlaySessionLast = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                await bare.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace).ConfigureAwait(false);
                return null;
            },
            count,
            concurrency).ConfigureAwait(false);
        report(beats);
        report(replaces);

        var (shares, transactions) = await InterleavedPhase.RunAsync(
            Names.Share, i => ShareAsync(http, jwts[i], $"{prefix}-share-{i:D6}"),
            Names.BareShare, async i =>
            {
                var entity = (await bare.GetEntityAsync<ProfileEntity>(partitions[i], openIds[i]).ConfigureAwait(false)).Value;
                entity.ShareTimes++;
                var marker = new ShareReportEntity
                {
                    PartitionKey = partitions[i],
                    RowKey = ShareReportEntity.RowKeyOf(openIds[i], $"{prefix}-share-{i:D6}"),
                    Counted = true,
                    ShareTimes = entity.ShareTimes,
                    ReportedAt = DateTimeOffset.UtcNow,
                    Scene = "level-end",
                };
                TableTransactionAction[] actions =
                [
                    new(TableTransactionActionType.Add, marker),
                    new(TableTransactionActionType.UpdateReplace, entity, entity.ETag),
                ];
                await bare.SubmitTransactionAsync(actions).ConfigureAwait(false);
                return null;
            },
            count,
            concurrency).ConfigureAwait(false);
        report(shares);
        report(transactions);
    }

    /// <param name="credited">Whether the beat must credit time; null: either.</param>
    private static async Task<string?> BeatAsync(HttpClient http, string jwt, bool? credited)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/play/heartbeat") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return $"{(int)response.StatusCode} {Encoding.UTF8.GetString(body)}";
        }

        using var document = JsonDocument.Parse(body);
        var seconds = document.RootElement.GetProperty("credited_seconds").GetInt64();
        return credited is null || (seconds > 0) == credited ? null : $"credited {seconds} s";
    }

    private static async Task<string?> ShareAsync(HttpClient http, string jwt, string shareId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/play/share")
        {
            Content = new StringContent($"{{\"share_id\":\"{shareId}\",\"scene\":\"level-end\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return response.IsSuccessStatusCode && body.Contains("\"counted\":true", StringComparison.Ordinal) ? null : $"{(int)response.StatusCode} {body}";
    }
}
