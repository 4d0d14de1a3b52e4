using System.Buffers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tianmu.WeChat.Sessions;

/// <summary>
/// <see cref="IJsCode2SessionClient"/> over a typed <see cref="HttpClient"/> (register it with
/// <see cref="JsCode2SessionServiceCollectionExtensions.AddJsCode2SessionClient"/>).
/// </summary>
/// <remarks>
/// One request per call, never retried: WeChat accepts a code once, so a resent request would at best be refused
/// (40163) and at worst hide the answer of the first one. The request URL carries the app secret in its query, so
/// nothing here logs it, nor the code, nor the session key.
/// </remarks>
public sealed partial class JsCode2SessionClient(
    HttpClient httpClient,
    IOptions<WeChatApiOptions> options,
    ILogger<JsCode2SessionClient> logger) : IJsCode2SessionClient
{
    /// <summary>Largest answer read; a real one is about 150 bytes.</summary>
    public const int MaxResponseBytes = 16 * 1024;

    public async Task<JsCode2SessionResult> ExchangeAsync(string appId, string secret, string code, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(code);

        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, BuildRequestUri(settings.ApiBaseUrl, appId, secret, code));
            using var response = await httpClient
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                .ConfigureAwait(false);

            if (!response.IsSuccessStatusCode)
            {
                LogHttpStatus(logger, appId, (int)response.StatusCode);
                return new JsCode2SessionResult((int)response.StatusCode >= 500
                    ? JsCode2SessionStatus.Unavailable
                    : JsCode2SessionStatus.UpstreamError);
            }

            return await ReadAnswerAsync(response.Content, appId, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Ours, not the caller's: the per-call timeout (or an HttpClient.Timeout someone set) expired.
            LogTimeout(logger, appId, settings.Timeout);
            return new JsCode2SessionResult(JsCode2SessionStatus.Timeout);
        }
        catch (HttpRequestException exception)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Only the error kind: exception messages are not ours to vouch for.
            LogUnavailable(logger, appId, exception.HttpRequestError.ToString());
            return new JsCode2SessionResult(JsCode2SessionStatus.Unavailable);
        }
        catch (Exception exception) when (exception is IOException or SocketException)
        {
            // SocketException: HttpClient lets it through unwrapped when a connection is reset while being set up.
            cancellationToken.ThrowIfCancellationRequested();
            LogUnavailable(logger, appId, exception.GetType().Name);
            return new JsCode2SessionResult(JsCode2SessionStatus.Unavailable);
        }
    }

    internal static Uri BuildRequestUri(Uri apiBaseUrl, string appId, string secret, string code)
    {
        ArgumentNullException.ThrowIfNull(apiBaseUrl);
        var baseUrl = apiBaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(string.Concat(
            baseUrl,
            "/sns/jscode2session?appid=", Uri.EscapeDataString(appId),
            "&secret=", Uri.EscapeDataString(secret),
            "&js_code=", Uri.EscapeDataString(code),
            "&grant_type=authorization_code"));
    }

    private async Task<JsCode2SessionResult> ReadAnswerAsync(HttpContent content, string appId, CancellationToken cancellationToken)
    {
        // Whatever the Content-Type says (WeChat often sends text/plain): the body is JSON.
        if (content.Headers.ContentLength > MaxResponseBytes)
        {
            LogMalformed(logger, appId);
            return new JsCode2SessionResult(JsCode2SessionStatus.UpstreamError);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxResponseBytes + 1);
        var length = 0;
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while (length <= MaxResponseBytes
                    && (read = await stream.ReadAsync(buffer.AsMemory(length, MaxResponseBytes + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }

            var answer = length <= MaxResponseBytes ? Parse(buffer.AsSpan(0, length)) : null;
            return answer is null ? Malformed(appId) : Interpret(answer, appId);
        }
        finally
        {
            // The body held the session key.
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static JsCode2SessionAnswer? Parse(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..]; // a UTF-8 byte order mark, which the serializer does not skip in a span
        }

        try
        {
            return JsonSerializer.Deserialize(body, JsCode2SessionJsonContext.Default.JsCode2SessionAnswer);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private JsCode2SessionResult Interpret(JsCode2SessionAnswer answer, string appId)
    {
        var errorCode = answer.ErrCode ?? 0;
        if (errorCode == 0)
        {
            return string.IsNullOrEmpty(answer.OpenId) || string.IsNullOrEmpty(answer.SessionKey)
                ? Malformed(appId)
                : new JsCode2SessionResult(
                    JsCode2SessionStatus.Success,
                    new WeChatSession(answer.OpenId, answer.SessionKey, answer.UnionId ?? ""));
        }

        var status = errorCode switch
        {
            40029 or 40163 => JsCode2SessionStatus.InvalidCode,
            45011 => JsCode2SessionStatus.RateLimited,
            40226 => JsCode2SessionStatus.LoginBlocked,
            -1 => JsCode2SessionStatus.Busy,
            40013 or 40125 => JsCode2SessionStatus.InvalidAppCredentials,
            _ => JsCode2SessionStatus.UpstreamError,
        };

        if (status == JsCode2SessionStatus.InvalidAppCredentials)
        {
            LogInvalidAppCredentials(logger, appId, errorCode);
        }
        else if (status is JsCode2SessionStatus.InvalidCode or JsCode2SessionStatus.LoginBlocked)
        {
            LogRefused(logger, appId, errorCode, status);
        }
        else
        {
            LogErrorCode(logger, appId, errorCode, status);
        }

        return new JsCode2SessionResult(status, ErrorCode: errorCode);
    }

    private JsCode2SessionResult Malformed(string appId)
    {
        LogMalformed(logger, appId);
        return new JsCode2SessionResult(JsCode2SessionStatus.UpstreamError);
    }

    [LoggerMessage(EventId = JsCode2SessionLogEvents.InvalidAppCredentials, Level = LogLevel.Error,
        Message = "WeChat rejected the app id or secret of app {AppId} (errcode {ErrorCode}): check the app's configured AppSecret")]
    private static partial void LogInvalidAppCredentials(ILogger logger, string appId, int errorCode);

    [LoggerMessage(EventId = JsCode2SessionLogEvents.Refused, Level = LogLevel.Information,
        Message = "jscode2session for app {AppId} refused the login: errcode {ErrorCode} ({Status})")]
    private static partial void LogRefused(ILogger logger, string appId, int errorCode, JsCode2SessionStatus status);

    [LoggerMessage(EventId = JsCode2SessionLogEvents.ErrorCode, Level = LogLevel.Warning,
        Message = "jscode2session for app {AppId} answered errcode {ErrorCode} ({Status})")]
    private static partial void LogErrorCode(ILogger logger, string appId, int errorCode, JsCode2SessionStatus status);

    [LoggerMessage(EventId = JsCode2SessionLogEvents.HttpStatus, Level = LogLevel.Warning,
        Message = "jscode2session for app {AppId} answered HTTP {StatusCode}")]
    private static partial void LogHttpStatus(ILogger logger, string appId, int statusCode);

    [LoggerMessage(EventId = JsCode2SessionLogEvents.Malformed, Level = LogLevel.Warning,
        Message = "jscode2session for app {AppId} answered a body that is not JSON, too large or lacks openid or session_key")]
    private static partial void LogMalformed(ILogger logger, string appId);

    [LoggerMessage(EventId = JsCode2SessionLogEvents.Timeout, Level = LogLevel.Warning,
        Message = "jscode2session for app {AppId} did not answer within {Timeout}")]
    private static partial void LogTimeout(ILogger logger, string appId, TimeSpan timeout);

    [LoggerMessage(EventId = JsCode2SessionLogEvents.Unavailable, Level = LogLevel.Warning,
        Message = "jscode2session for app {AppId} could not be reached: {ErrorKind}")]
    private static partial void LogUnavailable(ILogger logger, string appId, string errorKind);
}

/// <summary>Event ids of <see cref="JsCode2SessionClient"/>'s log entries (for alerts and queries).</summary>
public static class JsCode2SessionLogEvents
{
    /// <summary>errcode 40013/40125: the configured app id or secret is wrong (Error).</summary>
    public const int InvalidAppCredentials = 7101;

    /// <summary>The user's code was refused or the user blocked: 40029, 40163, 40226 (Information).</summary>
    public const int Refused = 7102;

    /// <summary>Another errcode: rate limit, busy, unknown (Warning).</summary>
    public const int ErrorCode = 7103;

    /// <summary>A non-2xx HTTP status (Warning).</summary>
    public const int HttpStatus = 7104;

    /// <summary>A body that is not JSON, too large, or lacks openid or session_key (Warning).</summary>
    public const int Malformed = 7105;

    /// <summary>No answer within <see cref="WeChatApiOptions.Timeout"/> (Warning).</summary>
    public const int Timeout = 7106;

    /// <summary>Connection refused, reset or closed, DNS failure (Warning).</summary>
    public const int Unavailable = 7107;
}
