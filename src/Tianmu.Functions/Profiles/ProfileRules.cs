using System.Globalization;
using Tianmu.Functions.Location;
using Tianmu.WeChat.Crypto;
using Tianmu.WeChat.Sessions;

namespace Tianmu.Functions.Profiles;

/// <summary>What a new profile looks like and how a login or user info changes one (docs/API.md, POST rules).</summary>
public static class ProfileRules
{
    /// <summary>WeChat's anonymous nickname since 2021.</summary>
    public const string AnonymousNickName = "微信用户";

    private const string DayFormat = "yyyy-MM-dd";
    /// <summary>Longest stored <c>nick_name</c>, in UTF-16 characters (docs/API.md, "POST /api/updateUserInfo").</summary>
    public const int MaxNickNameLength = 128;

    /// <summary>Longest stored <c>avatar_url</c>.</summary>
    public const int MaxAvatarUrlLength = 2048;

    /// <summary>Longest stored <c>city</c>, <c>province</c> and <c>country</c>, each.</summary>
    public const int MaxRegionLength = 128;

    /// <summary>Longest stored <c>language</c>.</summary>
    public const int MaxLanguageLength = 32;

    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    /// <summary>The calendar date of a Unix time in China Standard Time (UTC+8), which counts online days.</summary>
    public static DateOnly ChinaDate(long unixSeconds) =>
        DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToOffset(ChinaStandardTime).DateTime);

    /// <summary>The calendar date of an instant in China Standard Time (UTC+8).</summary>
    public static DateOnly ChinaDate(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(ChinaStandardTime).DateTime);

    /// <summary>
    /// The user's last active day in UTC+8 (docs/API.md, <c>online_days</c>): the stored day, or on a row written before
    /// heartbeats existed the date of its last login. Logins and credited heartbeats both count against this one day.
    /// </summary>
    public static DateOnly LastActiveDay(ProfileEntity profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return DateOnly.TryParseExact(profile.LastActiveDay, DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : ChinaDate(profile.LastLoginTime);
    }

    /// <summary>
    /// Counts the user active at <paramref name="instant"/>: +1 <c>online_days</c> when its UTC+8 date is later than the
    /// last active day, which then moves to that date (an earlier instant, from a request that lost a race, changes nothing).
    /// </summary>
    /// <returns>True when <c>online_days</c> grew.</returns>
    public static bool MarkActive(ProfileEntity profile, DateTimeOffset instant)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var day = ChinaDate(instant);
        if (day <= LastActiveDay(profile))
        {
            return false;
        }

        profile.OnlineDays++;
        profile.LastActiveDay = FormatDay(day);
        return true;
    }

    /// <summary>A UTC+8 date as stored on the profile (ISO <c>yyyy-MM-dd</c>).</summary>
    public static string FormatDay(DateOnly day) => day.ToString(DayFormat, CultureInfo.InvariantCulture);

    /// <summary>The attribution of a new user, kept forever.</summary>
    public sealed record Channel(string FromScene, string FromCode, string Ofp);

    /// <summary>
    /// The profile a first login creates: counters at 1, the channel recorded for good. Its keys are set by the
    /// <see cref="ProfileRepository"/>, which knows the partition scheme.
    /// </summary>
    public static ProfileEntity Create(string appId, WeChatSession session, Channel channel, IpLocation location, DateTimeOffset loginTime)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(location);
        return new ProfileEntity
        {
            AppId = appId,
            OpenId = session.OpenId,
            UnionId = session.UnionId,
            Pid = Pid.Compute(appId, session.OpenId, session.UnionId),
            OnlineDays = 1,
            LoginTimes = 1,
            LastLoginTime = loginTime.ToUnixTimeSeconds(),
            FromScene = channel.FromScene,
            FromCode = channel.FromCode,
            Ofp = channel.Ofp,
            LoginProvince = location.Province,
            LoginCity = location.City,
            LoginDistrict = location.District,
            SessionKey = session.SessionKey,
            SessionKeyIssuedAt = loginTime,
            CreatedAt = loginTime,
            LastActiveDay = FormatDay(ChinaDate(loginTime)),
            PlaySessionLast = loginTime.ToUnixTimeMilliseconds(),
            SecurityStamp = NewSecurityStamp(),
        };
    }

    /// <summary>A fresh security stamp: 16 random bytes, base64url without padding (22 characters).</summary>
    public static string NewSecurityStamp() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Counts one more login. Idempotent in nothing: apply once per write attempt on a fresh read.</summary>
    public static void ApplyLogin(ProfileEntity profile, WeChatSession session, IpLocation location, DateTimeOffset loginTime)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(location);
        var seconds = loginTime.ToUnixTimeSeconds();
        profile.LoginTimes++;
        MarkActive(profile, loginTime);

        // A login starts a play session at its time (docs/API.md, "POST /api/login"); a beat that landed later keeps its own.
        profile.PlaySessionLast = Math.Max(profile.PlaySessionLast ?? 0, loginTime.ToUnixTimeMilliseconds());

        // Concurrent logins may land out of order: keep the newest time and the newest session key.
        profile.LastLoginTime = Math.Max(profile.LastLoginTime, seconds);
        if (profile.SessionKeyIssuedAt is not { } issued || loginTime >= issued)
        {
            profile.SessionKey = session.SessionKey;
            profile.SessionKeyIssuedAt = loginTime;
            profile.LoginProvince = location.Province;
            profile.LoginCity = location.City;
            profile.LoginDistrict = location.District;
        }

        SetUnionId(profile, session.UnionId);

        // A profile stored before security stamps existed gets one now, before this login issues its token.
        if (string.IsNullOrEmpty(profile.SecurityStamp))
        {
            profile.SecurityStamp = NewSecurityStamp();
        }
    }

    /// <summary>
    /// True when every string of <paramref name="info"/> fits its stored length (docs/API.md, "POST /api/updateUserInfo"):
    /// <c>nickName</c> 128 characters, <c>avatarUrl</c> 2,048, <c>city</c>, <c>province</c>, <c>country</c> 128 each,
    /// <c>language</c> 32, and <c>unionId</c> empty or a legal id (it becomes part of the pid and never changes).
    /// Anything longer is refused before storage would refuse it (Table Storage caps a string property at 32 K characters).
    /// </summary>
    public static bool FitsStorage(WeChatUserInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.NickName.Length <= MaxNickNameLength
               && info.AvatarUrl.Length <= MaxAvatarUrlLength
               && info.City.Length <= MaxRegionLength
               && info.Province.Length <= MaxRegionLength
               && info.Country.Length <= MaxRegionLength
               && info.Language.Length <= MaxLanguageLength
               && (info.UnionId.Length == 0 || ProfileKeys.IsLegalId(info.UnionId));
    }

    /// <summary>
    /// Stores decrypted user info, never letting WeChat's anonymous placeholders (empty strings, gender 0,
    /// the nickname 微信用户 and the avatar sent with it, the default grey avatar) overwrite a stored value.
    /// </summary>
    /// <returns>True when a stored value changed; false when the profile is as it was (then nothing needs writing).</returns>
    public static bool ApplyUserInfo(ProfileEntity profile, WeChatUserInfo info)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(info);
        var before = (profile.NickName, profile.AvatarUrl, profile.Gender, profile.City, profile.Province, profile.Country,
            profile.Language, profile.UnionId, profile.Pid);
        var anonymous = info.NickName == AnonymousNickName;
        if (info.NickName.Length > 0 && !(anonymous && profile.NickName.Length > 0))
        {
            profile.NickName = info.NickName;
        }

        var placeholderAvatar = anonymous || IsDefaultAvatar(info.AvatarUrl);
        if (info.AvatarUrl.Length > 0 && !(placeholderAvatar && profile.AvatarUrl.Length > 0))
        {
            profile.AvatarUrl = info.AvatarUrl;
        }

        if (info.Gender != 0)
        {
            profile.Gender = info.Gender;
        }

        profile.City = KeepUnlessEmpty(profile.City, info.City);
        profile.Province = KeepUnlessEmpty(profile.Province, info.Province);
        profile.Country = KeepUnlessEmpty(profile.Country, info.Country);
        profile.Language = KeepUnlessEmpty(profile.Language, info.Language);
        SetUnionId(profile, info.UnionId);
        return before != (profile.NickName, profile.AvatarUrl, profile.Gender, profile.City, profile.Province, profile.Country,
            profile.Language, profile.UnionId, profile.Pid);
    }

    /// <summary>WeChat's default grey avatar, served from several hosts and sizes.</summary>
    public static bool IsDefaultAvatar(string avatarUrl) =>
        avatarUrl.Contains("/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/", StringComparison.Ordinal);

    // A union id, once known, never changes; the pid follows it.
    private static void SetUnionId(ProfileEntity profile, string unionId)
    {
        if (profile.UnionId.Length == 0 && unionId.Length > 0)
        {
            profile.UnionId = unionId;
        }

        profile.Pid = Pid.Compute(profile.AppId, profile.OpenId, profile.UnionId);
    }

    private static string KeepUnlessEmpty(string stored, string incoming) => incoming.Length > 0 ? incoming : stored;
}
