namespace Tianmu.WeChat.AccessTokens;

/// <summary>
/// What getting an access token came to. Each value maps to one HTTP outcome of the app (contract, "WeChat access tokens"
/// and the error table).
/// </summary>
public enum WeChatAccessTokenStatus
{
    /// <summary>A token is at hand.</summary>
    Success,
    /// <summary>errcode -1: WeChat is busy → 503 <c>upstream_unavailable</c>.</summary>
    Busy,
    /// <summary>No answer within <see cref="Sessions.WeChatApiOptions.Timeout"/> → 503.</summary>
    Timeout,
    /// <summary>Connection refused, reset or closed; DNS failure; a 5xx answer → 503.</summary>
    Unavailable,
    /// <summary>errcode 40013 (invalid app id), 40125 (invalid secret) or 40164 (the caller's IP is not in the app's API
    /// IP whitelist): an operator error, logged at Error → 502 <c>upstream_error</c>.</summary>
    InvalidAppCredentials,
    /// <summary>Any other errcode (45009/45011 limits, 40002 …), a malformed or oversized answer, another HTTP status
    /// → 502 <c>upstream_error</c>.</summary>
    UpstreamError,
}

/// <summary>An access token and the instant from which it is no longer handed out (5 minutes before WeChat's
/// <c>expires_in</c>). ToString never prints the token.</summary>
/// <param name="Value">The <c>access_token</c> (WeChat: up to 512 characters).</param>
/// <param name="RefreshAt">When the cache stops handing it out (UTC).</param>
public sealed record WeChatAccessToken(string Value, DateTimeOffset RefreshAt)
{
    public override string ToString() => $"WeChatAccessToken {{ RefreshAt = {RefreshAt:O} }}";
}

/// <summary>The outcome of getting an access token.</summary>
/// <param name="Status">What it came to.</param>
/// <param name="Token">The token when <see cref="Status"/> is Success.</param>
/// <param name="ErrorCode">WeChat's errcode when it answered one.</param>
public sealed record WeChatAccessTokenResult(WeChatAccessTokenStatus Status, WeChatAccessToken? Token = null, int? ErrorCode = null)
{
    public bool IsSuccess => Status == WeChatAccessTokenStatus.Success;
}

/// <summary>The outcome of a call made with an access token (<see cref="IWeChatAccessTokenProvider.CallAsync"/>).</summary>
/// <param name="TokenStatus">Success when a token was at hand for every attempt; otherwise why none was, and the call's
/// result is absent.</param>
/// <param name="Value">The last attempt's result when <see cref="TokenStatus"/> is Success.</param>
/// <param name="Retried">True when WeChat rejected the first token and the call ran a second time with a fresh one.</param>
/// <param name="TokenErrorCode">WeChat's errcode for the token request that failed, if any.</param>
public sealed record WeChatTokenCallResult<T>(WeChatAccessTokenStatus TokenStatus, T? Value = default, bool Retried = false, int? TokenErrorCode = null)
{
    public bool IsSuccess => TokenStatus == WeChatAccessTokenStatus.Success;
}

/// <summary>
/// Per-app WeChat access tokens from <c>POST {ApiBaseUrl}/cgi-bin/stable_token</c>, cached and shared by every request of
/// the instance (contract, "WeChat access tokens"). Register with
/// <see cref="WeChatApiServiceCollectionExtensions.AddWeChatServerApiClients"/>.
/// </summary>
public interface IWeChatAccessTokenProvider
{
    /// <summary>The app's cached token, or a fresh one fetched with <c>force_refresh: false</c> when none is cached or it
    /// is within 5 minutes of its expiry. One fetch at a time per app: concurrent callers await the same fetch; a failed
    /// fetch is not cached.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the shared fetch
    /// goes on for the other callers).</exception>
    Task<WeChatAccessTokenResult> GetAsync(string appId, string secret, CancellationToken cancellationToken);

    /// <summary>Drops the app's cached token if it is still <paramref name="rejectedToken"/> (another caller may already
    /// have replaced it).</summary>
    void Invalidate(string appId, string rejectedToken);

    /// <summary>
    /// Runs <paramref name="apiCall"/> with the app's token. When <paramref name="isTokenRejected"/> says WeChat refused the
    /// token (errcode 40001 or 42001), drops it from the cache (only if it is still cached) and runs the call exactly once
    /// more with a fresh token: a normal fetch first (which returns the token another instance may have renewed), and
    /// <c>force_refresh: true</c> only when that gives the rejected token back, at most once per app per 30 seconds
    /// (WeChat allows 20 forced refreshes a day, 30 s apart; within the 30 s a normal fetch is made instead).
    /// </summary>
    /// <returns>The last attempt's result, or the token failure (and no call) when no token could be had.</returns>
    Task<WeChatTokenCallResult<T>> CallAsync<T>(
        string appId,
        string secret,
        Func<string, CancellationToken, Task<T>> apiCall,
        Func<T, bool> isTokenRejected,
        CancellationToken cancellationToken);
}

/// <summary>WeChat's errcodes for a rejected access token.</summary>
public static class WeChatAccessTokenErrors
{
    /// <summary>errcode 40001: the access token is invalid or not the latest.</summary>
    public const int InvalidCredential = 40001;

    /// <summary>errcode 42001: the access token expired.</summary>
    public const int Expired = 42001;

    /// <summary>True for <see cref="InvalidCredential"/> and <see cref="Expired"/>, the answers that call for a fresh token.</summary>
    public static bool IsTokenRejected(int? errorCode) => errorCode is InvalidCredential or Expired;
}

/// <summary>Event ids of the access-token log entries (for alerts and queries).</summary>
public static class WeChatAccessTokenLogEvents
{
    /// <summary>errcode 40013/40125/40164: the app id or secret is wrong or the IP is not whitelisted (Error).</summary>
    public const int InvalidAppCredentials = 7201;

    /// <summary>Another errcode: busy, limits, unknown (Warning).</summary>
    public const int ErrorCode = 7202;

    /// <summary>A non-2xx HTTP status (Warning).</summary>
    public const int HttpStatus = 7203;

    /// <summary>A body that is not JSON, too large, or lacks access_token or a positive expires_in (Warning).</summary>
    public const int Malformed = 7204;

    /// <summary>No answer within the timeout (Warning).</summary>
    public const int Timeout = 7205;

    /// <summary>Connection refused, reset or closed, DNS failure (Warning).</summary>
    public const int Unavailable = 7206;

    /// <summary>A token was fetched (Information).</summary>
    public const int Fetched = 7207;

    /// <summary>WeChat rejected a token (40001/42001) and the call is retried once (Information).</summary>
    public const int Rejected = 7208;

    /// <summary>A forced refresh was asked for within 30 s of the last one and a normal fetch was made instead (Warning).</summary>
    public const int ForceRefreshDeferred = 7209;
}
