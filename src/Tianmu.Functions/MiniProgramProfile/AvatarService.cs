using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.WeChat.ContentSecurity;

namespace Tianmu.Functions.MiniProgramProfile;

/// <summary>
/// Uploaded avatars (docs/API.md, "POST /api/profile/avatar" and the <c>wxa_media_check</c> event): store the image under
/// a new random name, submit it to WeChat's asynchronous media check, point <c>avatar_url</c> at it and delete the
/// previous image; later, a <c>risky</c> verdict for the pending check clears the avatar and deletes the image.
/// </summary>
public sealed partial class AvatarService(
    ProfileRepository profiles,
    AvatarBlobStore images,
    AppRegistry apps,
    IWeChatMediaCheckClient mediaCheck,
    ILogger<AvatarService> logger)
{
    /// <summary>WeChat's verdict that calls for removal (<c>result.suggest</c>).</summary>
    public const string RiskySuggest = "risky";

    /// <summary>
    /// Stores <paramref name="image"/> as the avatar of <paramref name="caller"/> within <paramref name="budget"/>. In this
    /// order: upload under a new name, submit to <c>media_check_async</c> with the new URL, write the profile (URL, image
    /// name, pending trace id) conditionally, delete the previous image. A failure before the write deletes the new image
    /// again, so nothing is stored.
    /// </summary>
    /// <returns>The whole profile as stored, <c>jwt</c> <c>""</c>.</returns>
    /// <exception cref="ApiException">401 <c>invalid_token</c> (the profile vanished), 409 <c>session_expired</c> (WeChat's
    /// 61010), 502 <c>upstream_error</c>, 503 <c>upstream_unavailable</c> (WeChat or storage).</exception>
    public async Task<ProfileResponse> UploadAsync(ProfileEntity caller, AvatarImage image, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(budget);
        var secret = WeChatCheckOutcomes.SecretOf(apps, caller);

        // 128 random bits: nothing of the user in the name, and a CDN never serves a stale image under it.
        var name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + image.Extension;
        var url = images.PublicUrlOf(name);
        await budget.RunAsync(async token =>
        {
            await images.UploadAsync(name, image.Bytes, image.ContentType, token).ConfigureAwait(false);
            return true;
        }, "Avatar storage did not answer within the time budget; nothing was stored. Retry shortly.").ConfigureAwait(false);

        var previous = string.Empty;
        ProfileEntity? updated;
        try
        {
            var submitted = await budget.RunAsync(
                token => mediaCheck.SubmitImageAsync(caller.AppId, secret, caller.OpenId, url, token),
                "WeChat's media check did not answer within the time budget; nothing was stored. Retry shortly.").ConfigureAwait(false);
            var traceId = WeChatCheckOutcomes.TraceIdOf(submitted);
            updated = await budget.RunAsync(token => profiles.UpdateAsync(caller, row =>
            {
                // Runs once per attempt: the image replaced is the one of the row actually written.
                previous = row.AvatarBlobName;
                row.AvatarUrl = url.AbsoluteUri;
                row.AvatarBlobName = name;
                row.AvatarCheckTraceId = traceId;
                return true;
            }, token)).ConfigureAwait(false);
        }
        catch
        {
            await images.TryDeleteAsync(name, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (updated is null)
        {
            await images.TryDeleteAsync(name, CancellationToken.None).ConfigureAwait(false);
            throw BearerAuthenticator.InvalidToken();
        }

        // After the write: a failure here orphans an unused image, never leaves the profile pointing at nothing.
        await images.TryDeleteAsync(previous, CancellationToken.None).ConfigureAwait(false);
        LogUploaded(logger, caller.AppId, image.Bytes.Length);
        return ProfileResponse.From(updated, isNew: false, jwt: string.Empty);
    }

    /// <summary>
    /// Applies WeChat's verdict on an avatar (the <c>wxa_media_check</c> push; docs/API.md, "GET and POST
    /// /api/wechat/push/{app_id}"): when <paramref name="traceId"/> is the user's pending check, the check is over; when
    /// moreover <paramref name="suggest"/> is <c>risky</c>, <c>avatar_url</c> is cleared and the image deleted. A result
    /// for an older, superseded upload, an unknown user or an illegal id changes nothing.
    /// </summary>
    /// <param name="appId">The push route's app.</param>
    /// <param name="openId">The push's <c>FromUserName</c>: the user whose image was checked.</param>
    /// <param name="traceId">The push's <c>trace_id</c>.</param>
    /// <param name="suggest">The push's <c>result.suggest</c>: <c>risky</c>, <c>pass</c> or <c>review</c>.</param>
    /// <param name="cancellationToken">The push request's budget.</param>
    /// <returns>True when the avatar was removed.</returns>
    /// <exception cref="ApiException">503 <c>upstream_unavailable</c> when storage fails (WeChat retries the push).</exception>
    public async Task<bool> ApplyMediaCheckResultAsync(string appId, string openId, string traceId, string? suggest, CancellationToken cancellationToken)
    {
        if (!ProfileKeys.IsLegalId(appId) || !ProfileKeys.IsLegalId(openId) || string.IsNullOrEmpty(traceId))
        {
            return false;
        }

        var profile = await profiles.FindAsync(appId, openId, cancellationToken).ConfigureAwait(false);
        if (profile is null || profile.AvatarCheckTraceId != traceId)
        {
            return false;
        }

        var risky = string.Equals(suggest, RiskySuggest, StringComparison.Ordinal);
        var removed = string.Empty;
        await profiles.UpdateAsync(profile, row =>
        {
            removed = string.Empty;
            if (row.AvatarCheckTraceId != traceId)
            {
                return false;
            }

            row.AvatarCheckTraceId = string.Empty;
            if (risky)
            {
                removed = row.AvatarBlobName;
                row.AvatarUrl = string.Empty;
                row.AvatarBlobName = string.Empty;
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);

        if (removed.Length == 0)
        {
            return false;
        }

        await images.TryDeleteAsync(removed, CancellationToken.None).ConfigureAwait(false);
        LogRemovedRisky(logger, appId);
        return true;
    }

    /// <summary>
    /// Clears <c>avatar_url</c> and deletes an uploaded image (the <c>user_authorization_revoke</c> event with
    /// <c>RevokeInfo</c> 20, the avatar button). Unknown users change nothing.
    /// </summary>
    /// <returns>True when the profile changed.</returns>
    /// <exception cref="ApiException">503 <c>upstream_unavailable</c> when storage fails.</exception>
    public async Task<bool> RemoveAsync(string appId, string openId, CancellationToken cancellationToken)
    {
        if (!ProfileKeys.IsLegalId(appId) || !ProfileKeys.IsLegalId(openId)
            || await profiles.FindAsync(appId, openId, cancellationToken).ConfigureAwait(false) is not { } profile)
        {
            return false;
        }

        var removed = string.Empty;
        var changed = false;
        await profiles.UpdateAsync(profile, row =>
        {
            removed = row.AvatarBlobName;
            changed = row.AvatarUrl.Length > 0 || removed.Length > 0 || row.AvatarCheckTraceId.Length > 0;
            row.AvatarUrl = string.Empty;
            row.AvatarBlobName = string.Empty;
            row.AvatarCheckTraceId = string.Empty;
            return changed;
        }, cancellationToken).ConfigureAwait(false);
        await images.TryDeleteAsync(removed, CancellationToken.None).ConfigureAwait(false);
        return changed;
    }

    [LoggerMessage(EventId = 8121, Level = LogLevel.Debug, Message = "Avatar of {Length} bytes stored in app {AppId}")]
    private static partial void LogUploaded(ILogger logger, string appId, int length);

    [LoggerMessage(EventId = 8122, Level = LogLevel.Information, Message = "WeChat's media check judged an avatar risky in app {AppId}; it was removed")]
    private static partial void LogRemovedRisky(ILogger logger, string appId);
}
