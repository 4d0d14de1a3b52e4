using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.WeChat.ContentSecurity;

namespace Tianmu.Functions.MiniProgramProfile;

/// <summary>
/// How WeChat's content checks map to the contract (docs/API.md, "Profile for mini-programs", "WeChat access tokens"
/// and the error table): one place for both routes.
/// </summary>
internal static class WeChatCheckOutcomes
{
    /// <summary>The caller's app secret; an app no longer served cannot have a valid token.</summary>
    public static string SecretOf(AppRegistry apps, ProfileEntity caller) =>
        apps.TryGetSecret(caller.AppId, out var secret) ? secret : throw BearerAuthenticator.InvalidToken();

    /// <summary>Nothing for pass and review; the contract's failure otherwise.</summary>
    public static void ThrowUnlessStorable(WeChatTextCheckResult result)
    {
        switch (result.Status)
        {
            case WeChatTextCheckStatus.Pass or WeChatTextCheckStatus.Review:
                return;
            case WeChatTextCheckStatus.Risky:
                throw new ApiException(ApiErrorCode.ContentRejected, "WeChat's content check rejected this nickname; nothing was stored.");
            case WeChatTextCheckStatus.UserNotRecentlyActive:
                throw NotRecentlyActive();
            case WeChatTextCheckStatus.Busy or WeChatTextCheckStatus.Timeout or WeChatTextCheckStatus.Unavailable:
                throw Unavailable();
            default:
                throw UpstreamError();
        }
    }

    /// <summary>The trace id of a submitted image; the contract's failure otherwise.</summary>
    public static string TraceIdOf(WeChatMediaCheckResult result) => result.Status switch
    {
        WeChatMediaCheckStatus.Submitted when !string.IsNullOrEmpty(result.TraceId) => result.TraceId,
        WeChatMediaCheckStatus.UserNotRecentlyActive => throw NotRecentlyActive(),
        WeChatMediaCheckStatus.Busy or WeChatMediaCheckStatus.Timeout or WeChatMediaCheckStatus.Unavailable => throw Unavailable(),
        _ => throw UpstreamError(),
    };

    public static ApiException Unavailable() =>
        new(ApiErrorCode.UpstreamUnavailable, "WeChat's content check is unavailable; nothing was stored. Retry shortly.");

    private static ApiException NotRecentlyActive() =>
        new(ApiErrorCode.SessionExpired, "WeChat checks content only for users active in the last two hours. Log in again, then retry.");

    private static ApiException UpstreamError() =>
        new(ApiErrorCode.UpstreamError, "WeChat's content check answered something this service cannot use; nothing was stored.");
}
