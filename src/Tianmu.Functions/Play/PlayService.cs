using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.Play;

/// <summary>
/// Play time and shares (docs/API.md, "Play time and shares"): heartbeats credit <c>online_duration</c> by the server's
/// clock, share reports count <c>share_times</c> once per <c>share_id</c> within a daily cap.
/// </summary>
public sealed partial class PlayService(ProfileRepository profiles, IOptions<PlayOptions> options, TimeProvider time, ILogger<PlayService> logger)
{
    /// <summary>Longest <c>scene</c> of a share report.</summary>
    public const int MaxSceneLength = 64;

    private readonly PlayOptions _options = options.Value;

    /// <summary>The pattern of a <c>share_id</c>: 8–64 characters of <c>[A-Za-z0-9_-]</c>, the whole string.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_-]{8,64}\z", RegexOptions.CultureInvariant)]
    public static partial Regex ShareIdPattern();

    /// <summary>
    /// One heartbeat of <paramref name="profile"/> (the authenticated caller, as read) at the server's clock
    /// (<see cref="PlayRules.Beat"/>). A beat that credits or starts or ends a session is one conditional write on that
    /// read, retried from a fresh read when a concurrent request won; a beat inside the minimum interval writes nothing.
    /// </summary>
    /// <exception cref="ApiException">401 <c>invalid_token</c> when the profile vanished; 503 <c>upstream_unavailable</c>.</exception>
    public async Task<HeartbeatResponse> HeartbeatAsync(ProfileEntity profile, HeartbeatRequest request, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(budget);
        var now = time.GetUtcNow();
        var final = request.Final == true;
        long credited = 0;
        var updated = await budget.RunAsync(token => profiles.UpdateAsync(
                profile,
                row =>
                {
                    var outcome = PlayRules.Beat(row, now, final, _options);
                    credited = outcome.CreditedSeconds;
                    return outcome.Changed;
                },
                token)).ConfigureAwait(false)
            ?? throw BearerAuthenticator.InvalidToken();
        LogBeat(logger, updated.AppId, updated.OpenId, credited, final);
        return new HeartbeatResponse(updated.OnlineDuration, updated.OnlineDays, credited);
    }

    /// <summary>
    /// Reports a share of <paramref name="profile"/> (the authenticated caller): the first report of a <c>share_id</c> adds 1
    /// to <c>share_times</c> unless <see cref="PlayOptions.MaxSharesPerDay"/> were already counted that UTC+8 day; the
    /// report row and the counter change in one entity-group transaction; a repeat answers what the first answered.
    /// </summary>
    /// <exception cref="ApiException">400 <c>invalid_request</c>; 401 <c>invalid_token</c> when the profile vanished;
    /// 503 <c>upstream_unavailable</c>.</exception>
    public async Task<ShareResponse> ShareAsync(ProfileEntity profile, ShareRequest request, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(budget);
        var (shareId, scene) = Validate(request);
        var now = time.GetUtcNow();
        var today = ProfileRules.FormatDay(ProfileRules.ChinaDate(now));
        var report = await budget.RunAsync(token => profiles.RecordOnceAsync(
                profile,
                ShareReportEntity.RowKeyOf(profile.OpenId, shareId),
                row =>
                {
                    var countedToday = row.SharesDay == today ? row.SharesOnDay : 0;
                    var counted = countedToday < _options.MaxSharesPerDay;
                    if (counted)
                    {
                        row.ShareTimes++;
                        row.SharesDay = today;
                        row.SharesOnDay = countedToday + 1;
                    }

                    return new ShareReportEntity { Counted = counted, ShareTimes = row.ShareTimes, ReportedAt = now, Scene = scene };
                },
                token)).ConfigureAwait(false)
            ?? throw BearerAuthenticator.InvalidToken();
        LogShare(logger, profile.AppId, profile.OpenId, report.Counted);
        return new ShareResponse(report.ShareTimes, report.Counted);
    }

    private static (string ShareId, string Scene) Validate(ShareRequest request)
    {
        if (string.IsNullOrEmpty(request.ShareId))
        {
            throw ApiException.InvalidRequest("share_id is required.");
        }

        if (!ShareIdPattern().IsMatch(request.ShareId))
        {
            throw ApiException.InvalidRequest("share_id must match ^[A-Za-z0-9_-]{8,64}$.");
        }

        var scene = request.Scene ?? string.Empty;
        if (scene.Length > MaxSceneLength)
        {
            throw ApiException.InvalidRequest($"scene may not exceed {MaxSceneLength} characters.");
        }

        return (request.ShareId, scene);
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "Heartbeat of {OpenId} in app {AppId} credited {Seconds} s (final: {Final})")]
    private static partial void LogBeat(ILogger logger, string appId, string openId, long seconds, bool final);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Debug, Message = "Share of {OpenId} in app {AppId} reported (counted: {Counted})")]
    private static partial void LogShare(ILogger logger, string appId, string openId, bool counted);
}
