using Tianmu.Functions.Play;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Tests.Play;

public sealed class PlayRulesTests
{
    private static readonly PlayOptions Options = new();
    private static readonly DateTimeOffset Start = PlayTestApp.ChinaNoon;

    private static ProfileEntity InSession(DateTimeOffset last) => new()
    {
        PlaySessionLast = last.ToUnixTimeMilliseconds(),
        LastActiveDay = ProfileRules.FormatDay(ProfileRules.ChinaDate(last)),
        OnlineDays = 1,
    };

    [Fact]
    public void A_beat_without_a_session_credits_nothing_and_starts_one_at_now()
    {
        var profile = new ProfileEntity();

        var outcome = PlayRules.Beat(profile, Start, final: false, Options);

        Assert.Equal(new PlayRules.BeatOutcome(true, 0), outcome);
        Assert.Equal(Start.ToUnixTimeMilliseconds(), profile.PlaySessionLast);
    }

    [Fact]
    public void A_final_beat_without_a_session_changes_nothing()
    {
        var profile = new ProfileEntity();

        Assert.Equal(new PlayRules.BeatOutcome(false, 0), PlayRules.Beat(profile, Start, final: true, Options));
        Assert.Null(profile.PlaySessionLast);
    }

    [Fact]
    public void A_beat_exactly_MaxGap_after_the_last_credits_it_and_one_millisecond_more_starts_a_new_session()
    {
        var atGap = InSession(Start);
        var pastGap = InSession(Start);

        var credited = PlayRules.Beat(atGap, Start + Options.MaxGap, final: false, Options);
        var lost = PlayRules.Beat(pastGap, Start + Options.MaxGap + TimeSpan.FromMilliseconds(1), final: false, Options);

        Assert.Equal(150, credited.CreditedSeconds);
        Assert.Equal(150, atGap.OnlineDuration);
        Assert.Equal(new PlayRules.BeatOutcome(true, 0), lost);
        Assert.Equal(0, pastGap.OnlineDuration);
        Assert.Equal((Start + Options.MaxGap + TimeSpan.FromMilliseconds(1)).ToUnixTimeMilliseconds(), pastGap.PlaySessionLast);
    }

    [Fact]
    public void A_beat_exactly_MinInterval_after_the_last_credits_it_and_one_millisecond_sooner_changes_nothing()
    {
        var atInterval = InSession(Start);
        var early = InSession(Start);

        var credited = PlayRules.Beat(atInterval, Start + Options.MinInterval, final: false, Options);
        var ignored = PlayRules.Beat(early, Start + Options.MinInterval - TimeSpan.FromMilliseconds(1), final: false, Options);

        Assert.Equal(new PlayRules.BeatOutcome(true, 10), credited);
        Assert.Equal(new PlayRules.BeatOutcome(false, 0), ignored);
        Assert.Equal(Start.ToUnixTimeMilliseconds(), early.PlaySessionLast);
        Assert.Equal(0, early.OnlineDuration);
    }

    [Fact]
    public void A_beat_credits_whole_seconds_and_advances_last_by_exactly_them_so_no_time_is_lost_to_rounding()
    {
        var profile = InSession(Start);

        var first = PlayRules.Beat(profile, Start.AddMilliseconds(60_700), final: false, Options);
        var second = PlayRules.Beat(profile, Start.AddMilliseconds(121_400), final: false, Options);

        Assert.Equal(60, first.CreditedSeconds);
        Assert.Equal(61, second.CreditedSeconds);
        Assert.Equal(Start.AddSeconds(121).ToUnixTimeMilliseconds(), profile.PlaySessionLast);
        Assert.Equal(121, profile.OnlineDuration);
    }

    [Fact]
    public void A_beat_older_than_the_last_one_credits_nothing()
    {
        var profile = InSession(Start);

        Assert.Equal(new PlayRules.BeatOutcome(false, 0), PlayRules.Beat(profile, Start.AddSeconds(-30), final: false, Options));
    }

    [Fact]
    public void A_final_beat_credits_then_ends_the_session()
    {
        var profile = InSession(Start);

        var outcome = PlayRules.Beat(profile, Start.AddSeconds(45), final: true, Options);

        Assert.Equal(new PlayRules.BeatOutcome(true, 45), outcome);
        Assert.Null(profile.PlaySessionLast);
    }

    [Fact]
    public void A_final_beat_inside_MinInterval_credits_nothing_but_still_ends_the_session()
    {
        var profile = InSession(Start);

        var outcome = PlayRules.Beat(profile, Start.AddSeconds(3), final: true, Options);

        Assert.Equal(new PlayRules.BeatOutcome(true, 0), outcome);
        Assert.Null(profile.PlaySessionLast);
    }

    [Fact]
    public void A_credited_beat_on_a_later_UTC8_date_adds_an_online_day_once()
    {
        var profile = InSession(PlayTestApp.OneMinuteBeforeChinaMidnight);

        PlayRules.Beat(profile, PlayTestApp.OneMinuteBeforeChinaMidnight.AddSeconds(59), final: false, Options);
        var daysBeforeMidnight = profile.OnlineDays;
        PlayRules.Beat(profile, PlayTestApp.OneMinuteBeforeChinaMidnight.AddSeconds(60), final: false, Options);
        PlayRules.Beat(profile, PlayTestApp.OneMinuteBeforeChinaMidnight.AddSeconds(120), final: false, Options);

        Assert.Equal(1, daysBeforeMidnight);
        Assert.Equal(2, profile.OnlineDays);
        Assert.Equal("2026-12-01", profile.LastActiveDay);
    }

    [Fact]
    public void A_beat_that_credits_nothing_adds_no_online_day()
    {
        var profile = InSession(PlayTestApp.OneMinuteBeforeChinaMidnight);

        PlayRules.Beat(profile, PlayTestApp.OneMinuteBeforeChinaMidnight.AddMinutes(10), final: false, Options);

        Assert.Equal(1, profile.OnlineDays);
    }

    [Theory]
    [InlineData("00:00:00", "00:00:10", 50, "MaxGap")]
    [InlineData("02:00:00", "00:00:10", 50, "MaxGap")]
    [InlineData("00:02:30", "00:00:00", 50, "MinInterval")]
    [InlineData("00:02:30", "00:03:00", 50, "MinInterval")]
    [InlineData("00:02:30", "00:00:10", -1, "MaxSharesPerDay")]
    public void Play_options_out_of_range_stop_the_app_with_a_message_naming_the_variable(string maxGap, string minInterval, int maxShares, string key)
    {
        var options = new PlayOptions { MaxGap = TimeSpan.Parse(maxGap, System.Globalization.CultureInfo.InvariantCulture), MinInterval = TimeSpan.Parse(minInterval, System.Globalization.CultureInfo.InvariantCulture), MaxSharesPerDay = maxShares };

        var result = new PlayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Tianmu__Play__" + key, result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new PlayOptionsValidator().Validate(null, new PlayOptions()).Succeeded);
    }
}
