namespace Tianmu.WeChat.ContentSecurity;

/// <summary>What a text check (<c>msg_sec_check</c> version 2) came to; each value maps to one outcome of the app
/// (contract, "POST /api/profile").</summary>
public enum WeChatTextCheckStatus
{
    /// <summary><c>result.suggest</c> <c>pass</c> → stored.</summary>
    Pass,
    /// <summary><c>result.suggest</c> <c>review</c> (uncertain) → stored.</summary>
    Review,
    /// <summary><c>result.suggest</c> <c>risky</c> → 422 <c>content_rejected</c>.</summary>
    Risky,
    /// <summary>errcode 61010: the user has not used the mini-program within the last two hours, so WeChat will not check
    /// for them → 409 <c>session_expired</c>.</summary>
    UserNotRecentlyActive,
    /// <summary>errcode -1 (here or from <c>stable_token</c>): WeChat is busy → 503 <c>upstream_unavailable</c>.</summary>
    Busy,
    /// <summary>No answer within <see cref="Sessions.WeChatApiOptions.Timeout"/> → 503.</summary>
    Timeout,
    /// <summary>Connection refused, reset or closed; DNS failure; a 5xx answer → 503.</summary>
    Unavailable,
    /// <summary><c>stable_token</c> refused the app id, secret or caller IP (40013, 40125, 40164), logged at Error → 502.</summary>
    InvalidAppCredentials,
    /// <summary>Any other errcode (40003 bad openid, 43104 openid of another app …), a token still rejected after the
    /// one retry, an unknown <c>suggest</c>, a malformed or oversized answer, another HTTP status → 502 <c>upstream_error</c>.</summary>
    UpstreamError,
}

/// <summary>The outcome of one text check.</summary>
/// <param name="Status">What it came to.</param>
/// <param name="TraceId">WeChat's <c>trace_id</c>, when it answered one.</param>
/// <param name="Label">WeChat's <c>result.label</c> (100 normal, 10001 ads, 20001 politics, 20002 porn, …), when given.</param>
/// <param name="ErrorCode">WeChat's errcode when it answered a non-zero one.</param>
public sealed record WeChatTextCheckResult(WeChatTextCheckStatus Status, string? TraceId = null, int? Label = null, int? ErrorCode = null);

/// <summary>What submitting an image to <c>media_check_async</c> came to; the errors map as for
/// <see cref="WeChatTextCheckStatus"/>.</summary>
public enum WeChatMediaCheckStatus
{
    /// <summary>errcode 0: WeChat took the image; its verdict comes later as a <c>wxa_media_check</c> push with the same
    /// <c>trace_id</c>.</summary>
    Submitted,
    /// <summary>errcode 61010: the user has not used the mini-program within the last two hours → 409
    /// <c>session_expired</c>.</summary>
    UserNotRecentlyActive,
    /// <summary>errcode -1: WeChat is busy → 503.</summary>
    Busy,
    /// <summary>No answer within the timeout → 503.</summary>
    Timeout,
    /// <summary>Connection refused, reset or closed; DNS failure; a 5xx answer → 503.</summary>
    Unavailable,
    /// <summary><c>stable_token</c> refused the app id, secret or caller IP (40013, 40125, 40164), logged at Error → 502.</summary>
    InvalidAppCredentials,
    /// <summary>Any other errcode, a token still rejected after the one retry, no <c>trace_id</c>, a malformed answer → 502.</summary>
    UpstreamError,
}

/// <summary>The outcome of one media check submission.</summary>
/// <param name="Status">What it came to.</param>
/// <param name="TraceId">The <c>trace_id</c> to match the later push with, when <see cref="Status"/> is Submitted.</param>
/// <param name="ErrorCode">WeChat's errcode when it answered a non-zero one.</param>
public sealed record WeChatMediaCheckResult(WeChatMediaCheckStatus Status, string? TraceId = null, int? ErrorCode = null);

/// <summary>
/// WeChat's text content check, version 2: <c>POST {ApiBaseUrl}/wxa/msg_sec_check?access_token=…</c> with
/// <c>{"version":2,"openid","scene":1,"content"}</c>
/// (WeChat: https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/msgSecCheck.html).
/// </summary>
public interface IWeChatTextCheckClient
{
    /// <summary>Checks <paramref name="content"/> (WeChat: at most 2,500 characters) written by <paramref name="openId"/>
    /// in scene 1 (a profile). The access token comes from <see cref="AccessTokens.IWeChatAccessTokenProvider"/>, renewed
    /// and retried once on 40001/42001.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<WeChatTextCheckResult> CheckAsync(string appId, string secret, string openId, string content, CancellationToken cancellationToken);
}

/// <summary>
/// WeChat's asynchronous media check, version 2: <c>POST {ApiBaseUrl}/wxa/media_check_async?access_token=…</c> with
/// <c>{"media_url","media_type":2,"version":2,"openid","scene":1}</c>
/// (WeChat: https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/mediaCheckAsync.html).
/// </summary>
public interface IWeChatMediaCheckClient
{
    /// <summary>Submits the image at <paramref name="imageUrl"/> (an absolute HTTP(S) URL WeChat can download; at most
    /// 10 MB) for <paramref name="openId"/> in scene 1 (a profile). The verdict arrives later as a <c>wxa_media_check</c>
    /// push carrying the returned <c>trace_id</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="imageUrl"/> is not an absolute URL.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<WeChatMediaCheckResult> SubmitImageAsync(string appId, string secret, string openId, Uri imageUrl, CancellationToken cancellationToken);
}

/// <summary>Event ids of the content-check log entries (for alerts and queries).</summary>
public static class WeChatContentCheckLogEvents
{
    /// <summary>An errcode the app cannot use (Warning).</summary>
    public const int ErrorCode = 7301;

    /// <summary>A non-2xx HTTP status (Warning).</summary>
    public const int HttpStatus = 7302;

    /// <summary>A body that is not JSON, too large, or lacks the verdict or trace id (Warning).</summary>
    public const int Malformed = 7303;

    /// <summary>No answer within the timeout (Warning).</summary>
    public const int Timeout = 7304;

    /// <summary>Connection refused, reset or closed, DNS failure (Warning).</summary>
    public const int Unavailable = 7305;

    /// <summary>No access token could be had (Warning; the token fetch logged the cause).</summary>
    public const int NoAccessToken = 7306;

    /// <summary>The user was not active recently enough to be checked, errcode 61010 (Information).</summary>
    public const int UserNotRecentlyActive = 7307;
}
