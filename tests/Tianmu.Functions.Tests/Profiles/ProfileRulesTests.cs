using Tianmu.Functions.Location;
using Tianmu.Functions.Profiles;
using Tianmu.WeChat.Crypto;
using Tianmu.WeChat.Sessions;

namespace Tianmu.Functions.Tests.Profiles;

public sealed class ProfileRulesTests
{
    private static readonly IpLocation Guangzhou = new("广东省", "广州市", string.Empty);
    private static readonly WeChatSession Session = new("oUser1", "c2Vzc2lvbi1rZXktMDAwMQ==", string.Empty);

    private static ProfileEntity NewProfile(DateTimeOffset at) =>
        ProfileRules.Create("wxapp1", Session, new ProfileRules.Channel("1044", "code", "ofp"), Guangzhou, at);

    private static WeChatUserInfo Info(string nickName = "Nick", string avatar = "https://thirdwx.qlogo.cn/mmopen/vi_32/x/132", int gender = 1, string city = "Guangzhou", string unionId = "") =>
        new("oUser1", nickName, gender, "zh_CN", city, "Guangdong", "China", avatar, unionId, new WeChatWatermark("wxapp1", 1));

    [Fact]
    public void A_new_profile_has_one_login_on_one_day_and_its_channel()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1_764_000_000);

        var profile = NewProfile(at);

        Assert.Equal(1, profile.LoginTimes);
        Assert.Equal(1, profile.OnlineDays);
        Assert.Equal(1_764_000_000, profile.LastLoginTime);
        Assert.Equal(("1044", "code", "ofp"), (profile.FromScene, profile.FromCode, profile.Ofp));
        Assert.Equal(("广东省", "广州市", string.Empty), (profile.LoginProvince, profile.LoginCity, profile.LoginDistrict));
        Assert.Equal(Session.SessionKey, profile.SessionKey);
        // Its keys are the repository's (Profile rows at app id / open id: LoginTests reads them there).
        Assert.Equal(("wxapp1", "oUser1"), (profile.AppId, profile.OpenId));
    }

    [Theory]
    // 23:59:59 and 00:00:00 China time are different days although the same UTC date.
    [InlineData("2026-01-01T15:59:59Z", "2026-01-01T16:00:00Z", 2)]
    // 00:30 and 23:30 China time are one day although UTC dates differ.
    [InlineData("2025-12-31T16:30:00Z", "2026-01-01T15:30:00Z", 1)]
    [InlineData("2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", 1)]
    [InlineData("2026-01-01T01:00:00Z", "2026-01-05T01:00:00Z", 2)]
    public void Online_days_count_calendar_days_in_China_standard_time(string first, string second, long expectedDays)
    {
        var profile = NewProfile(DateTimeOffset.Parse(first, System.Globalization.CultureInfo.InvariantCulture));

        ProfileRules.ApplyLogin(profile, Session, Guangzhou, DateTimeOffset.Parse(second, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expectedDays, profile.OnlineDays);
        Assert.Equal(2, profile.LoginTimes);
    }

    [Fact]
    public void A_login_that_lands_late_keeps_the_newest_time_and_session_key()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1_764_000_000);
        var profile = NewProfile(at);
        ProfileRules.ApplyLogin(profile, Session with { SessionKey = "bmV3ZXN0LWtleS0wMDAwMQ==" }, Guangzhou, at.AddSeconds(10));

        ProfileRules.ApplyLogin(profile, Session with { SessionKey = "b2xkZXIta2V5LTAwMDAwMQ==" }, IpLocation.Unknown, at.AddSeconds(5));

        Assert.Equal(3, profile.LoginTimes);
        Assert.Equal(1_764_000_010, profile.LastLoginTime);
        Assert.Equal("bmV3ZXN0LWtleS0wMDAwMQ==", profile.SessionKey);
        Assert.Equal("广东省", profile.LoginProvince);
    }

    [Fact]
    public void A_union_id_is_set_once_and_the_pid_follows_it()
    {
        var profile = NewProfile(DateTimeOffset.UnixEpoch.AddYears(56));
        Assert.Equal(Pid.Compute("wxapp1", "oUser1", string.Empty), profile.Pid);

        ProfileRules.ApplyLogin(profile, Session with { UnionId = "union-1" }, Guangzhou, DateTimeOffset.UnixEpoch.AddYears(56));
        ProfileRules.ApplyUserInfo(profile, Info(unionId: "union-2"));

        Assert.Equal("union-1", profile.UnionId);
        Assert.Equal(Pid.Compute("other", "other", "union-1"), profile.Pid);
    }

    [Fact]
    public void Real_user_info_is_stored()
    {
        var profile = NewProfile(DateTimeOffset.UnixEpoch);

        ProfileRules.ApplyUserInfo(profile, Info());

        Assert.Equal(("Nick", 1, "Guangzhou", "Guangdong", "China", "zh_CN"), (profile.NickName, profile.Gender, profile.City, profile.Province, profile.Country, profile.Language));
    }

    [Fact]
    public void Anonymous_placeholders_never_overwrite_stored_values()
    {
        var profile = NewProfile(DateTimeOffset.UnixEpoch);
        ProfileRules.ApplyUserInfo(profile, Info());

        ProfileRules.ApplyUserInfo(profile, Info(nickName: ProfileRules.AnonymousNickName, avatar: "https://thirdwx.qlogo.cn/mmopen/vi_32/someone/132", gender: 0, city: string.Empty));

        Assert.Equal("Nick", profile.NickName);
        Assert.Equal("https://thirdwx.qlogo.cn/mmopen/vi_32/x/132", profile.AvatarUrl);
        Assert.Equal(1, profile.Gender);
        Assert.Equal("Guangzhou", profile.City);
    }

    [Fact]
    public void The_default_grey_avatar_never_overwrites_a_stored_avatar_even_with_a_real_nickname()
    {
        var profile = NewProfile(DateTimeOffset.UnixEpoch);
        ProfileRules.ApplyUserInfo(profile, Info());

        ProfileRules.ApplyUserInfo(profile, Info(nickName: "Renamed", avatar: "https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132"));

        Assert.Equal("Renamed", profile.NickName);
        Assert.Equal("https://thirdwx.qlogo.cn/mmopen/vi_32/x/132", profile.AvatarUrl);
    }

    [Fact]
    public void Anonymous_values_fill_an_empty_profile()
    {
        var profile = NewProfile(DateTimeOffset.UnixEpoch);

        ProfileRules.ApplyUserInfo(profile, Info(nickName: ProfileRules.AnonymousNickName, avatar: "https://thirdwx.qlogo.cn/mmopen/vi_32/grey/132", gender: 0));

        Assert.Equal(ProfileRules.AnonymousNickName, profile.NickName);
        Assert.Equal("https://thirdwx.qlogo.cn/mmopen/vi_32/grey/132", profile.AvatarUrl);
        Assert.Equal(0, profile.Gender);
    }

    [Fact]
    public void Pid_is_the_first_16_bytes_of_sha256_in_lowercase_hex()
    {
        // Vectors from Python's hashlib.
        Assert.Equal("66b278673d5f2e524814078f40f1b899", Pid.Compute("wx123", "oAbc", string.Empty));
        Assert.Equal("cb1ce83f4259c9d691b793803e2e0add", Pid.Compute("wx123", "oAbc", "union-1"));
    }

    [Fact]
    public void Partition_keys_are_the_app_id_or_a_two_digit_bucket_of_it()
    {
        var single = new ProfileKeys(Microsoft.Extensions.Options.Options.Create(new StorageOptions { PartitionBuckets = 1 }));
        var eight = new ProfileKeys(Microsoft.Extensions.Options.Options.Create(new StorageOptions { PartitionBuckets = 8 }));

        Assert.Equal("wx123", single.PartitionKey("wx123", "oAbc"));
        // sha256("oAbc")[0] = 36 (Python's hashlib); 36 % 8 = 4.
        Assert.Equal("wx123-04", eight.PartitionKey("wx123", "oAbc"));
    }
}
