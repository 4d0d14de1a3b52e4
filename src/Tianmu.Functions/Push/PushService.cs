using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tianmu.Functions.Accounts;
using Tianmu.Functions.Http;
using Tianmu.Functions.MiniProgramProfile;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Push;

/// <summary>One pushed event, in WeChat's member names (<c>MsgType</c>, <c>Event</c>, <c>OpenID</c>, <c>RevokeInfo</c>).</summary>
/// <param name="Event">The <c>Event</c> member.</param>
/// <param name="OpenId">The user: <c>OpenID</c>, else <c>FromUserName</c> (WeChat's usual sender member).</param>
/// <param name="RevokeInfo">The numbers of <c>RevokeInfo</c> (a string of comma-separated numbers, or one number).</param>
public sealed record PushEvent(string Event, string OpenId, IReadOnlyList<int> RevokeInfo)
{
    /// <summary>The user withdrew one or more authorizations.</summary>
    public const string UserAuthorizationRevoke = "user_authorization_revoke";

    /// <summary>WeChat cleaned a risky profile.</summary>
    public const string UserInfoModified = "user_info_modified";

    /// <summary>The user closed their WeChat account.</summary>
    public const string UserAuthorizationCancellation = "user_authorization_cancellation";

    /// <summary>The event of a verified message; null for anything that is not a JSON event of a legal user.</summary>
    public static PushEvent? Parse(string message)
    {
        try
        {
            using var document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "MsgType") != "event" || Text(root, "Event") is not { } name)
            {
                return null;
            }

            var openId = Text(root, "OpenID") ?? Text(root, "FromUserName");
            return ProfileKeys.IsLegalId(openId) ? new PushEvent(name, openId, ReadRevokeInfo(root)) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int[] ReadRevokeInfo(JsonElement root)
    {
        if (!root.TryGetProperty(nameof(RevokeInfo), out var value))
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt32(out var one) ? [one] : [];
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return [];
        }

        return [.. value.GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : -1)
            .Where(number => number >= 0)];
    }
}

/// <summary>
/// What a verified push changes (docs/API.md, "GET and POST /api/wechat/push/{app_id}"). Every outcome is an answer
/// of <c>success</c>: unknown users, unknown events, messages that do not parse and repeats change nothing (or
/// nothing more), because WeChat retries whatever is not <c>success</c>.
/// </summary>
public sealed partial class PushService(
    ProfileRepository profiles, AccountService accounts, AvatarService avatars, MediaCheckPushHandler mediaChecks, RequestBudgets budgets, ILogger<PushService> logger)
{
    /// <summary>RevokeInfo: the user-info grant (nickname and avatar).</summary>
    public const int RevokeUserInfo = 6;

    /// <summary>RevokeInfo: the nickname input.</summary>
    public const int RevokeNickname = 19;

    /// <summary>RevokeInfo: the avatar button.</summary>
    public const int RevokeAvatar = 20;

    /// <summary>Applies one verified message of an app.</summary>
    /// <exception cref="ApiException">503 <c>upstream_unavailable</c> when storage fails (WeChat then retries).</exception>
    public async Task HandleAsync(string appId, string message, CancellationToken cancellationToken)
    {
        if (PushEvent.Parse(message) is not { } pushed)
        {
            LogIgnored(logger, appId);
            return;
        }

        using var budget = budgets.Start(cancellationToken);
        switch (pushed.Event)
        {
            case PushEvent.UserAuthorizationRevoke:
                if (pushed.RevokeInfo.Contains(RevokeUserInfo) || pushed.RevokeInfo.Contains(RevokeAvatar))
                {
                    // The avatar goes with its uploaded image (docs/API.md: 20 "clears avatar_url and deletes an uploaded image").
                    await budget.RunAsync(token => avatars.RemoveAsync(appId, pushed.OpenId, token)).ConfigureAwait(false);
                }

                await ClearAsync(appId, pushed.OpenId, profile => ApplyRevoke(profile, pushed.RevokeInfo), budget).ConfigureAwait(false);
                break;
            case PushEvent.UserInfoModified:
                await budget.RunAsync(token => avatars.RemoveAsync(appId, pushed.OpenId, token)).ConfigureAwait(false);
                await ClearAsync(appId, pushed.OpenId, profile => ClearNickname(profile) | ClearAvatar(profile), budget).ConfigureAwait(false);
                break;
            case MediaCheckPushHandler.EventName:
                using (var document = JsonDocument.Parse(message))
                {
                    var root = document.RootElement.Clone();
                    await budget.RunAsync(token => mediaChecks.HandleAsync(appId, root, token)).ConfigureAwait(false);
                }

                break;
            case PushEvent.UserAuthorizationCancellation:
                await budget.RunAsync(token => accounts.DeleteAsync(appId, pushed.OpenId, token)).ConfigureAwait(false);
                break;
            default:
                LogUnknownEvent(logger, appId);
                return;
        }

        LogHandled(logger, appId, pushed.Event, pushed.OpenId);
    }

    /// <summary>
    /// What <c>RevokeInfo</c> clears: 6 the whole user info (nickname, avatar, gender, region, language), 19 the
    /// nickname, 20 the avatar; other numbers nothing. True when something changed.
    /// </summary>
    public static bool ApplyRevoke(ProfileEntity profile, IReadOnlyList<int> revokeInfo)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(revokeInfo);
        var changed = false;
        foreach (var grant in revokeInfo)
        {
            changed |= grant switch
            {
                RevokeUserInfo => ClearUserInfo(profile),
                RevokeNickname => ClearNickname(profile),
                RevokeAvatar => ClearAvatar(profile),
                _ => false,
            };
        }

        return changed;
    }

    private static bool ClearUserInfo(ProfileEntity profile)
    {
        var changed = ClearNickname(profile) | ClearAvatar(profile) | profile.Gender != 0
            || profile.City.Length > 0 || profile.Province.Length > 0 || profile.Country.Length > 0 || profile.Language.Length > 0;
        profile.Gender = 0;
        profile.City = profile.Province = profile.Country = profile.Language = string.Empty;
        return changed;
    }

    private static bool ClearNickname(ProfileEntity profile)
    {
        var changed = profile.NickName.Length > 0;
        profile.NickName = string.Empty;
        return changed;
    }

    private static bool ClearAvatar(ProfileEntity profile)
    {
        var changed = profile.AvatarUrl.Length > 0;
        profile.AvatarUrl = string.Empty;
        return changed;
    }

    private async Task ClearAsync(string appId, string openId, Func<ProfileEntity, bool> change, RequestBudget budget)
    {
        var profile = await budget.RunAsync(token => profiles.FindAsync(appId, openId, token)).ConfigureAwait(false);
        if (profile is not null)
        {
            await budget.RunAsync(token => profiles.UpdateAsync(profile, change, token)).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 8201, Level = LogLevel.Debug, Message = "WeChat push {Event} for {OpenId} in app {AppId} handled")]
    private static partial void LogHandled(ILogger logger, string appId, string @event, string openId);

    [LoggerMessage(EventId = 8202, Level = LogLevel.Information, Message = "A verified WeChat push to app {AppId} is not an event of a user and changes nothing")]
    private static partial void LogIgnored(ILogger logger, string appId);

    [LoggerMessage(EventId = 8203, Level = LogLevel.Information, Message = "A verified WeChat push to app {AppId} carries an event Tianmu does not handle")]
    private static partial void LogUnknownEvent(ILogger logger, string appId);
}
