using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.WeChat.AccessTokens;
using Tianmu.WeChat.Api;
using Tianmu.WeChat.Sessions;
using static Tianmu.WeChat.ContentSecurity.WeChatContentCheckCalls;

namespace Tianmu.WeChat.ContentSecurity;

/// <summary>
/// <see cref="IWeChatMediaCheckClient"/> over a typed <see cref="HttpClient"/> (register it with
/// <see cref="WeChatApiServiceCollectionExtensions.AddWeChatServerApiClients"/>). The request URL carries the access
/// token, so nothing here logs it, nor the image URL or the open id.
/// </summary>
public sealed class WeChatMediaCheckClient(
    HttpClient httpClient,
    IWeChatAccessTokenProvider tokens,
    IOptions<WeChatApiOptions> options,
    ILogger<WeChatMediaCheckClient> logger) : IWeChatMediaCheckClient
{
    private const string Api = "media_check_async";

    public async Task<WeChatMediaCheckResult> SubmitImageAsync(string appId, string secret, string openId, Uri imageUrl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(openId);
        ArgumentNullException.ThrowIfNull(imageUrl);
        if (!imageUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("The image URL must be absolute.", nameof(imageUrl));
        }

        var body = WeChatJsonBody.Write((openId, imageUrl.AbsoluteUri), static (writer, state) =>
        {
            writer.WriteString("media_url", state.AbsoluteUri);
            writer.WriteNumber("media_type", 2); // 2: an image (1 is audio)
            writer.WriteNumber("version", 2);
            writer.WriteString("openid", state.openId);
            writer.WriteNumber("scene", 1);
        });
        var (failure, answer, errorCode) = await PostAsync(
            httpClient, tokens, options.Value, logger, Api, "/wxa/media_check_async", appId, secret, body,
            WeChatApiJsonContext.Default.MediaCheckAnswer, cancellationToken).ConfigureAwait(false);

        if (failure != Failure.None || answer is null)
        {
            return new WeChatMediaCheckResult(ToStatus(failure), ErrorCode: errorCode);
        }

        if (string.IsNullOrEmpty(answer.TraceId))
        {
            Malformed(logger, Api, appId);
            return new WeChatMediaCheckResult(WeChatMediaCheckStatus.UpstreamError);
        }

        return new WeChatMediaCheckResult(WeChatMediaCheckStatus.Submitted, answer.TraceId);
    }

    private static WeChatMediaCheckStatus ToStatus(Failure failure) => failure switch
    {
        Failure.UserNotRecentlyActive => WeChatMediaCheckStatus.UserNotRecentlyActive,
        Failure.Busy => WeChatMediaCheckStatus.Busy,
        Failure.Timeout => WeChatMediaCheckStatus.Timeout,
        Failure.Unavailable => WeChatMediaCheckStatus.Unavailable,
        Failure.InvalidAppCredentials => WeChatMediaCheckStatus.InvalidAppCredentials,
        _ => WeChatMediaCheckStatus.UpstreamError,
    };
}
