using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Tianmu.WeChat.Api;
using Tianmu.WeChat.Sessions;

namespace Tianmu.WeChat.AccessTokens;

/// <summary>One answer of <c>cgi-bin/stable_token</c>: a token and its lifetime in seconds, or why there is none.</summary>
internal sealed record StableTokenResult(WeChatAccessTokenStatus Status, string? AccessToken = null, long ExpiresInSeconds = 0, int? ErrorCode = null);

/// <summary>
/// <c>POST {ApiBaseUrl}/cgi-bin/stable_token</c> with <c>{"grant_type":"client_credential","appid","secret","force_refresh"}</c>
/// (WeChat: https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getStableAccessToken.html).
/// One request per call, never retried. The secret travels only in the body and the token only in the answer: neither is
/// logged.
/// </summary>
internal sealed partial class StableTokenClient(HttpClient httpClient, WeChatApiOptions options, ILogger logger)
{
    /// <summary>Name of the <see cref="HttpClient"/> registered for it.</summary>
    public const string HttpClientName = "Tianmu.WeChat.StableToken";

    public async Task<StableTokenResult> FetchAsync(string appId, string secret, bool forceRefresh, CancellationToken cancellationToken)
    {
        var body = WeChatJsonBody.Write((appId, secret, forceRefresh), static (writer, state) =>
        {
            writer.WriteString("grant_type", "client_credential");
            writer.WriteString("appid", state.appId);
            writer.WriteString("secret", state.secret);
            writer.WriteBoolean("force_refresh", state.forceRefresh);
        });
        WeChatHttpResponse response;
        try
        {
            response = await WeChatApiTransport.PostJsonAsync(
                httpClient, new Uri(WeChatApiTransport.Join(options.ApiBaseUrl, "/cgi-bin/stable_token")), body, options.Timeout, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(body); // it held the secret
        }

        try
        {
            return Interpret(response, appId, forceRefresh);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(response.Body); // it held the token
        }
    }

    private StableTokenResult Interpret(WeChatHttpResponse response, string appId, bool forceRefresh)
    {
        switch (response.Outcome)
        {
            case WeChatHttpOutcome.Timeout:
                LogTimeout(logger, appId, options.Timeout);
                return new(WeChatAccessTokenStatus.Timeout);
            case WeChatHttpOutcome.Unavailable:
                LogUnavailable(logger, appId, response.ErrorKind ?? "");
                return new(WeChatAccessTokenStatus.Unavailable);
            case WeChatHttpOutcome.ServerError or WeChatHttpOutcome.UnexpectedStatus:
                LogHttpStatus(logger, appId, response.StatusCode);
                return new(response.Outcome == WeChatHttpOutcome.ServerError ? WeChatAccessTokenStatus.Unavailable : WeChatAccessTokenStatus.UpstreamError);
            case WeChatHttpOutcome.TooLarge:
                return Malformed(appId);
        }

        var answer = WeChatApiTransport.Parse(response.Body, WeChatApiJsonContext.Default.StableTokenAnswer);
        if (answer is null)
        {
            return Malformed(appId);
        }

        var errorCode = answer.ErrCode ?? 0;
        if (errorCode == 0)
        {
            if (string.IsNullOrEmpty(answer.AccessToken) || answer.ExpiresIn is not > 0)
            {
                return Malformed(appId);
            }

            LogFetched(logger, appId, answer.ExpiresIn.Value, forceRefresh);
            return new(WeChatAccessTokenStatus.Success, answer.AccessToken, answer.ExpiresIn.Value);
        }

        var status = errorCode switch
        {
            -1 => WeChatAccessTokenStatus.Busy,
            40013 or 40125 or 40164 => WeChatAccessTokenStatus.InvalidAppCredentials,
            _ => WeChatAccessTokenStatus.UpstreamError,
        };
        if (status == WeChatAccessTokenStatus.InvalidAppCredentials)
        {
            LogInvalidAppCredentials(logger, appId, errorCode);
        }
        else
        {
            LogErrorCode(logger, appId, errorCode, status);
        }

        return new(status, ErrorCode: errorCode);
    }

    private StableTokenResult Malformed(string appId)
    {
        LogMalformed(logger, appId);
        return new(WeChatAccessTokenStatus.UpstreamError);
    }

    [LoggerMessage(EventId = WeChatAccessTokenLogEvents.InvalidAppCredentials, Level = LogLevel.Error,
        Message = "stable_token for app {AppId} answered errcode {ErrorCode}: check the app's configured AppSecret and WeChat's API IP whitelist")]
    private static partial void LogInvalidAppCredentials(ILogger logger, string appId, int errorCode);

    [LoggerMessage(EventId = WeChatAccessTokenLogEvents.ErrorCode, Level = LogLevel.Warning,
        Message = "stable_token for app {AppId} answered errcode {ErrorCode} ({Status})")]
    private static partial void LogErrorCode(ILogger logger, string appId, int errorCode, WeChatAccessTokenStatus status);

    [LoggerMessage(EventId = WeChatAccessTokenLogEvents.HttpStatus, Level = LogLevel.Warning,
        Message = "stable_token for app {AppId} answered HTTP {StatusCode}")]
    private static partial void LogHttpStatus(ILogger logger, string appId, int statusCode);

    [LoggerMessage(EventId = WeChatAccessTokenLogEvents.Malformed, Level = LogLevel.Warning,
        Message = "stable_token for app {AppId} answered a body that is not JSON, too large or lacks access_token or expires_in")]
    private static partial void LogMalformed(ILogger logger, string appId);

    [LoggerMessage(EventId = WeChatAccessTokenLogEvents.Timeout, Level = LogLevel.Warning,
        Message = "stable_token for app {AppId} did not answer within {Timeout}")]
    private static partial void LogTimeout(ILogger logger, string appId, TimeSpan timeout);

    [LoggerMessage(EventId = WeChatAccessTokenLogEvents.Unavailable, Level = LogLevel.Warning,
        Message = "stable_token for app {AppId} could not be reached: {ErrorKind}")]
    private static partial void LogUnavailable(ILogger logger, string appId, string errorKind);

    [LoggerMessage(EventId = WeChatAccessTokenLogEvents.Fetched, Level = LogLevel.Information,
        Message = "Fetched an access token for app {AppId}, valid for {ExpiresInSeconds} s (force_refresh {ForceRefresh})")]
    private static partial void LogFetched(ILogger logger, string appId, long expiresInSeconds, bool forceRefresh);
}
