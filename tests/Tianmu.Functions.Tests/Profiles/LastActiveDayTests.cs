using Tianmu.Functions.Location;
using Tianmu.Functions.Profiles;
using Tianmu.WeChat.Sessions;

namespace Tianmu.Functions.Tests.Profiles;

/// <summary>Logins and credited heartbeats count <c>online_days</c> against one last active day (docs/API.md).</summary>
public sealed class LastActiveDayTests
{
    private static readonly DateTimeOffset Night = new(2026, 11, 30, 15, 59, 0, TimeSpan.Zero);
    private static readonly WeChatSession Session = new("oUser", "c2Vzc2lvbi1rZXk=", string.Empty);

    [Fact]
    public void A_login_on_the_day_a_beat_already_counted_adds_no_online_day()
    {
        var profile = ProfileRules.Create("wxapp", Session, new ProfileRules.Channel("", "", ""), IpLocation.Unknown, Night);
        Assert.True(ProfileRules.MarkActive(profile, Night.AddMinutes(1)));

        ProfileRules.ApplyLogin(profile, Session, IpLocation.Unknown, Night.AddMinutes(2));

        Assert.Equal(2, profile.OnlineDays);
    }

    [Fact]
    public void A_row_without_a_last_active_day_reads_it_from_its_last_login()
    {
        var profile = new ProfileEntity { LastLoginTime = Night.ToUnixTimeSeconds(), OnlineDays = 3 };

        Assert.Equal(ProfileRules.ChinaDate(Night), ProfileRules.LastActiveDay(profile));
        Assert.False(ProfileRules.MarkActive(profile, Night.AddSeconds(30)));
        Assert.True(ProfileRules.MarkActive(profile, Night.AddSeconds(60)));
        Assert.Equal(4, profile.OnlineDays);
    }

    [Fact]
    public void A_login_starts_a_play_session_at_its_time_and_never_moves_it_back()
    {
        var profile = ProfileRules.Create("wxapp", Session, new ProfileRules.Channel("", "", ""), IpLocation.Unknown, Night);
        Assert.Equal(Night.ToUnixTimeMilliseconds(), profile.PlaySessionLast);

        ProfileRules.ApplyLogin(profile, Session, IpLocation.Unknown, Night.AddMinutes(5));
        ProfileRules.ApplyLogin(profile, Session, IpLocation.Unknown, Night.AddMinutes(4));

        Assert.Equal(Night.AddMinutes(5).ToUnixTimeMilliseconds(), profile.PlaySessionLast);
    }
}
