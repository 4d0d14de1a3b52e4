using Microsoft.Extensions.Logging;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.WeChat.ContentSecurity;

namespace Tianmu.Functions.MiniProgramProfile;

/// <summary>
/// Stores what a mini-program user chose in the nickname input and gender picker (docs/API.md, "POST /api/profile"): the
/// nickname only once WeChat's text check (<c>msg_sec_check</c> v2) did not judge it risky.
/// </summary>
public sealed partial class MiniProgramProfileService(
    ProfileRepository profiles,
    AppRegistry apps,
    IWeChatTextCheckClient textCheck,
    ILogger<MiniProgramProfileService> logger)
{
    /// <summary>Checks and stores <paramref name="change"/> for <paramref name="caller"/> within <paramref name="budget"/>.</summary>
    /// <returns>The whole profile as stored, <c>jwt</c> <c>""</c>.</returns>
    /// <exception cref="ApiException">401 <c>invalid_token</c> (the profile vanished), 409 <c>session_expired</c> (WeChat's
    /// 61010), 422 <c>content_rejected</c>, 502 <c>upstream_error</c>, 503 <c>upstream_unavailable</c>; nothing is stored
    /// on any of them.</exception>
    public async Task<ProfileResponse> UpdateAsync(ProfileEntity caller, ProfileChange change, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(budget);
        if (change.NickName is { } nickName && nickName != caller.NickName)
        {
            var secret = WeChatCheckOutcomes.SecretOf(apps, caller);
            var verdict = await budget.RunAsync(
                token => textCheck.CheckAsync(caller.AppId, secret, caller.OpenId, nickName, token),
                "WeChat's content check did not answer within the time budget; nothing was stored. Retry shortly.").ConfigureAwait(false);
            if (verdict.Status == WeChatTextCheckStatus.Risky)
            {
                LogRejected(logger, caller.AppId, verdict.Label);
            }

            WeChatCheckOutcomes.ThrowUnlessStorable(verdict);
        }

        var updated = await budget.RunAsync(token => profiles.UpdateAsync(caller, row => Apply(row, change), token)).ConfigureAwait(false)
            ?? throw BearerAuthenticator.InvalidToken();
        return ProfileResponse.From(updated, isNew: false, jwt: string.Empty);
    }

    // The user's own choices: no anonymous-value rule (gender 0 is stored).
    private static bool Apply(ProfileEntity row, ProfileChange change)
    {
        var changed = false;
        if (change.NickName is { } nickName && row.NickName != nickName)
        {
            row.NickName = nickName;
            changed = true;
        }

        if (change.Gender is { } gender && row.Gender != gender)
        {
            row.Gender = gender;
            changed = true;
        }

        return changed;
    }

    [LoggerMessage(EventId = 8111, Level = LogLevel.Information, Message = "WeChat's content check judged a nickname risky in app {AppId} (label {Label})")]
    private static partial void LogRejected(ILogger logger, string appId, int? label);
}
