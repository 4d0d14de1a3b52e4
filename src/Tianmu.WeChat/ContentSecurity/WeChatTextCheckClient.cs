using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.WeChat.AccessTokens;
using Tianmu.WeChat.Api;
using Tianmu.WeChat.Sessions;
using static Tianmu.WeChat.ContentSecurity.WeChatContentCheckCalls;

namespace Tianmu.WeChat.ContentSecurity;

/// <summary>
/// <see cref="IWeChatTextCheckClient"/> over a typed <see cref="HttpClient"/> (register it with
/// <see cref="WeChatApiServiceCollectionExtensions.AddWeChatServerApiClients"/>). The request URL carries the access
/// token, so nothing here logs it, nor the content or the open id.
/// </summary>
public sealed class WeChatTextCheckClient(
    HttpClient httpClient,
    IWeChatAccessTokenProvider tokens,
    IOptions<WeChatApiOptions> options,
    ILogger<WeChatTextCheckClient> logger) : IWeChatTextCheckClient
{
    private const string Api = "msg_sec_check";

    public async Task<WeChatTextCheckResult> CheckAsync(string appId, string secret, string openId, string content, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(openId);
        ArgumentNullException.ThrowIfNull(content);

        var body = WeChatJsonBody.Write((openId, content), static (writer, state) =>
        {
            writer.WriteNumber("version", 2);
            writer.WriteString("openid", state.openId);
            writer.WriteNumber("scene", 1);
            writer.WriteString("content", state.content);
        });
        var (failure, answer, errorCode) = await PostAsync(
            httpClient, tokens, options.Value, logger, Api, "/wxa/msg_sec_check", appId, secret, body,
            WeChatApiJsonContext.Default.TextCheckAnswer, cancellationToken).ConfigureAwait(false);

        if (failure != Failure.None || answer is null)
        {
            return new WeChatTextCheckResult(ToStatus(failure), ErrorCode: errorCode);
        }

        WeChatTextCheckStatus? verdict = answer.Result?.Suggest switch
        {
            "pass" => WeChatTextCheckStatus.Pass,
            "review" => WeChatTextCheckStatus.Review,
            "risky" => WeChatTextCheckStatus.Risky,
            _ => null,
        };
        if (verdict is not { } status)
        {
            Malformed(logger, Api, appId);
            return new WeChatTextCheckResult(WeChatTextCheckStatus.UpstreamError, answer.TraceId);
        }

        return new WeChatTextCheckResult(status, answer.TraceId, answer.Result?.Label);
    }

    private static WeChatTextCheckStatus ToStatus(Failure failure) => failure switch
    {
        Failure.UserNotRecentlyActive => WeChatTextCheckStatus.UserNotRecentlyActive,
        Failure.Busy => WeChatTextCheckStatus.Busy,
        Failure.Timeout => WeChatTextCheckStatus.Timeout,
        Failure.Unavailable => WeChatTextCheckStatus.Unavailable,
        Failure.InvalidAppCredentials => WeChatTextCheckStatus.InvalidAppCredentials,
        _ => WeChatTextCheckStatus.UpstreamError,
    };
}
