using Microsoft.Extensions.Logging;
using Tianmu.WeChat.AccessTokens;
using Tianmu.WeChat.Api;
using Tianmu.WeChat.Sessions;

namespace Tianmu.WeChat.ContentSecurity;

/// <summary>How one attempt of a content-check call ended: the transport outcome, and WeChat's errcode and answer.</summary>
internal sealed record ContentCheckAttempt<TAnswer>(WeChatHttpResponse Response, TAnswer? Answer, int ErrorCode)
    where TAnswer : class
{
    public bool IsTokenRejected => Response.Outcome == WeChatHttpOutcome.Answered && WeChatAccessTokenErrors.IsTokenRejected(ErrorCode);
}

/// <summary>The transport and error mapping shared by the two content-check clients.</summary>
internal static partial class WeChatContentCheckCalls
{
    /// <summary>Error kinds common to both checks, before their own success and errcode mapping.</summary>
    internal enum Failure
    {
        None,
        UserNotRecentlyActive,
        Busy,
        Timeout,
        Unavailable,
        InvalidAppCredentials,
        UpstreamError,
    }

    /// <summary>POSTs <paramref name="body"/> to <paramref name="path"/> with the app's access token in the query, renewed
    /// and retried once when WeChat rejects it.</summary>
    public static async Task<(Failure Failure, TAnswer? Answer, int? ErrorCode)> PostAsync<TAnswer>(
        HttpClient httpClient,
        IWeChatAccessTokenProvider tokens,
        WeChatApiOptions options,
        ILogger logger,
        string api,
        string path,
        string appId,
        string secret,
        byte[] body,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TAnswer> answerType,
        CancellationToken cancellationToken)
        where TAnswer : class, IWeChatAnswer
    {
        var call = await tokens.CallAsync(
            appId,
            secret,
            async (accessToken, ct) =>
            {
                var uri = new Uri(WeChatApiTransport.Join(options.ApiBaseUrl, string.Concat(path, "?access_token=", Uri.EscapeDataString(accessToken))));
                var response = await WeChatApiTransport.PostJsonAsync(httpClient, uri, body, options.Timeout, ct).ConfigureAwait(false);
                var answer = response.Outcome == WeChatHttpOutcome.Answered ? WeChatApiTransport.Parse(response.Body, answerType) : null;
                return new ContentCheckAttempt<TAnswer>(response, answer, answer?.ErrCode ?? 0);
            },
            static attempt => attempt.IsTokenRejected,
            cancellationToken).ConfigureAwait(false);

        if (!call.IsSuccess || call.Value is not { } attempt)
        {
            LogNoAccessToken(logger, api, appId, call.TokenStatus);
            return (call.TokenStatus switch
            {
                WeChatAccessTokenStatus.Busy => Failure.Busy,
                WeChatAccessTokenStatus.Timeout => Failure.Timeout,
                WeChatAccessTokenStatus.Unavailable => Failure.Unavailable,
                WeChatAccessTokenStatus.InvalidAppCredentials => Failure.InvalidAppCredentials,
                _ => Failure.UpstreamError,
            }, null, call.TokenErrorCode);
        }

        var response = attempt.Response;
        switch (response.Outcome)
        {
            case WeChatHttpOutcome.Timeout:
                LogTimeout(logger, api, appId, options.Timeout);
                return (Failure.Timeout, null, null);
            case WeChatHttpOutcome.Unavailable:
                LogUnavailable(logger, api, appId, response.ErrorKind ?? "");
                return (Failure.Unavailable, null, null);
            case WeChatHttpOutcome.ServerError or WeChatHttpOutcome.UnexpectedStatus:
                LogHttpStatus(logger, api, appId, response.StatusCode);
                return (response.Outcome == WeChatHttpOutcome.ServerError ? Failure.Unavailable : Failure.UpstreamError, null, null);
        }

        if (attempt.Answer is null)
        {
            LogMalformed(logger, api, appId);
            return (Failure.UpstreamError, null, null);
        }

        switch (attempt.ErrorCode)
        {
            case 0:
                return (Failure.None, attempt.Answer, null);
            case 61010:
                LogUserNotRecentlyActive(logger, api, appId);
                return (Failure.UserNotRecentlyActive, null, 61010);
            case -1:
                LogErrorCode(logger, api, appId, -1);
                return (Failure.Busy, null, -1);
            default:
                LogErrorCode(logger, api, appId, attempt.ErrorCode);
                return (Failure.UpstreamError, null, attempt.ErrorCode);
        }
    }

    public static void Malformed(ILogger logger, string api, string appId) => LogMalformed(logger, api, appId);

    [LoggerMessage(EventId = WeChatContentCheckLogEvents.ErrorCode, Level = LogLevel.Warning,
        Message = "{Api} for app {AppId} answered errcode {ErrorCode}")]
    private static partial void LogErrorCode(ILogger logger, string api, string appId, int errorCode);

    [LoggerMessage(EventId = WeChatContentCheckLogEvents.HttpStatus, Level = LogLevel.Warning,
        Message = "{Api} for app {AppId} answered HTTP {StatusCode}")]
    private static partial void LogHttpStatus(ILogger logger, string api, string appId, int statusCode);

    [LoggerMessage(EventId = WeChatContentCheckLogEvents.Malformed, Level = LogLevel.Warning,
        Message = "{Api} for app {AppId} answered a body that is not JSON, too large or lacks its verdict or trace_id")]
    private static partial void LogMalformed(ILogger logger, string api, string appId);

    [LoggerMessage(EventId = WeChatContentCheckLogEvents.Timeout, Level = LogLevel.Warning,
        Message = "{Api} for app {AppId} did not answer within {Timeout}")]
    private static partial void LogTimeout(ILogger logger, string api, string appId, TimeSpan timeout);

    [LoggerMessage(EventId = WeChatContentCheckLogEvents.Unavailable, Level = LogLevel.Warning,
        Message = "{Api} for app {AppId} could not be reached: {ErrorKind}")]
    private static partial void LogUnavailable(ILogger logger, string api, string appId, string errorKind);

    [LoggerMessage(EventId = WeChatContentCheckLogEvents.NoAccessToken, Level = LogLevel.Warning,
        Message = "{Api} for app {AppId} not sent: no access token ({TokenStatus})")]
    private static partial void LogNoAccessToken(ILogger logger, string api, string appId, WeChatAccessTokenStatus tokenStatus);

    [LoggerMessage(EventId = WeChatContentCheckLogEvents.UserNotRecentlyActive, Level = LogLevel.Information,
        Message = "{Api} for app {AppId}: the user was not active recently enough to be checked (errcode 61010)")]
    private static partial void LogUserNotRecentlyActive(ILogger logger, string api, string appId);
}

/// <summary>An answer that carries WeChat's errcode.</summary>
internal interface IWeChatAnswer
{
    int? ErrCode { get; }
}
