using Microsoft.Extensions.Time.Testing;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Play;

/// <summary><c>POST /api/play/heartbeat</c> over HTTP, on the app's fake clock (docs/API.md, "Play time and shares").</summary>
public sealed class HeartbeatTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task A_beat_credits_the_time_since_login_in_whole_seconds_and_keeps_the_remainder()
    {
        var clock = new FakeTimeProvider(PlayTestApp.ChinaNoon);
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock));
        var token = await app.TokenOfAsync("beater");

        clock.Advance(TimeSpan.FromMilliseconds(60_600));
        var first = await app.BeatOkAsync(token);
        clock.Advance(TimeSpan.FromMilliseconds(60_600));
        var second = await app.BeatOkAsync(token);

        Assert.Equal((60L, 1L, 60L), first);
        Assert.Equal((121L, 1L, 61L), second);
        Assert.Equal(121, (await app.RowAsync("beater"))!.OnlineDuration);
        Assert.Equal(121, (await app.LoginOkAsync("beater")).GetProperty("online_duration").GetInt64());
    }

    [Fact]
    public async Task A_beat_exactly_MinInterval_after_the_last_credits_and_one_sooner_reads_once_and_writes_nothing()
    {
        var clock = new FakeTimeProvider(PlayTestApp.ChinaNoon);
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock), spy: spy);
        var token = await app.TokenOfAsync("eager");
        var before = await app.DumpAsync();
        var requestsBefore = spy.Requests.Count;

        clock.Advance(TimeSpan.FromMilliseconds(9_999));
        var early = await app.BeatOkAsync(token);
        var earlyRequests = spy.Requests.Skip(requestsBefore).ToArray();
        var afterEarly = await app.DumpAsync();
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var onTime = await app.BeatOkAsync(token);

        Assert.Equal((0L, 1L, 0L), early);
        Assert.Equal(before, afterEarly);
        Assert.Single(earlyRequests);
        Assert.StartsWith("GET ", earlyRequests[0], StringComparison.Ordinal);
        Assert.Equal((10L, 1L, 10L), onTime);
    }

    [Fact]
    public async Task A_credited_beat_is_one_read_and_one_conditional_write()
    {
        var clock = new FakeTimeProvider(PlayTestApp.ChinaNoon);
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock), spy: spy);
        var token = await app.TokenOfAsync("cheap");
        var requestsBefore = spy.Requests.Count;

        clock.Advance(TimeSpan.FromSeconds(60));
        await app.BeatOkAsync(token);

        var requests = spy.Requests.Skip(requestsBefore).Select(r => r.Split(' ')[0]).ToArray();
        Assert.Equal(["GET", "PUT"], requests);
    }

    [Fact]
    public async Task A_beat_exactly_MaxGap_after_the_last_credits_it_and_a_longer_gap_credits_nothing_and_starts_a_new_session()
    {
        var clock = new FakeTimeProvider(PlayTestApp.ChinaNoon);
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock));
        var token = await app.TokenOfAsync("gappy");

        clock.Advance(TimeSpan.FromSeconds(150));
        var atGap = await app.BeatOkAsync(token);
        clock.Advance(TimeSpan.FromMilliseconds(150_001));
        var pastGap = await app.BeatOkAsync(token);
        clock.Advance(TimeSpan.FromSeconds(60));
        var resumed = await app.BeatOkAsync(token);

        Assert.Equal((150L, 1L, 150L), atGap);
        Assert.Equal((150L, 1L, 0L), pastGap);
        Assert.Equal((210L, 1L, 60L), resumed);
    }

    [Fact]
    public async Task A_final_beat_credits_and_ends_the_session_so_the_next_beat_credits_nothing()
    {
        var clock = new FakeTimeProvider(PlayTestApp.ChinaNoon);
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock));
        var token = await app.TokenOfAsync("hider");

        clock.Advance(TimeSpan.FromSeconds(40));
        var final = await app.BeatOkAsync(token, final: true);
        clock.Advance(TimeSpan.FromSeconds(60));
        var afterHide = await app.BeatOkAsync(token);
        clock.Advance(TimeSpan.FromSeconds(60));
        var next = await app.BeatOkAsync(token);

        Assert.Equal((40L, 1L, 40L), final);
        Assert.Equal((40L, 1L, 0L), afterHide);
        Assert.Equal((100L, 1L, 60L), next);
    }

    [Fact]
    public async Task A_login_starts_a_new_session_at_its_time()
    {
        var clock = new FakeTimeProvider(PlayTestApp.ChinaNoon);
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock));
        var token = await app.TokenOfAsync("returner");
        clock.Advance(TimeSpan.FromSeconds(30));
        await app.BeatOkAsync(token, final: true);

        clock.Advance(TimeSpan.FromHours(1));
        token = await app.TokenOfAsync("returner");
        clock.Advance(TimeSpan.FromSeconds(60));
        var beat = await app.BeatOkAsync(token);

        Assert.Equal((90L, 1L, 60L), beat);
    }

    [Fact]
    public async Task A_credited_beat_past_midnight_UTC8_adds_an_online_day_and_a_login_that_day_adds_none()
    {
        var clock = new FakeTimeProvider(PlayTestApp.OneMinuteBeforeChinaMidnight);
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock));
        var token = await app.TokenOfAsync("night-owl");

        clock.Advance(TimeSpan.FromSeconds(50));
        var beforeMidnight = await app.BeatOkAsync(token);
        clock.Advance(TimeSpan.FromSeconds(10));
        var atMidnight = await app.BeatOkAsync(token);
        clock.Advance(TimeSpan.FromSeconds(60));
        var after = await app.BeatOkAsync(token);
        var login = await app.LoginOkAsync("night-owl");

        Assert.Equal((50L, 1L, 50L), beforeMidnight);
        Assert.Equal((60L, 2L, 10L), atMidnight);
        Assert.Equal(2L, after.Days);
        Assert.Equal(2, login.GetProperty("online_days").GetInt64());
    }

    [Fact]
    public async Task A_beat_that_credits_nothing_past_midnight_UTC8_adds_no_online_day()
    {
        var clock = new FakeTimeProvider(PlayTestApp.OneMinuteBeforeChinaMidnight);
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock));
        var token = await app.TokenOfAsync("sleeper");

        clock.Advance(TimeSpan.FromMinutes(5));
        var beat = await app.BeatOkAsync(token);

        Assert.Equal((0L, 1L, 0L), beat);
    }

    [Fact]
    public async Task Fifty_concurrent_beats_of_one_user_credit_exactly_the_wall_clock_time_and_lose_nothing()
    {
        var clock = new FakeTimeProvider(PlayTestApp.ChinaNoon);
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock));
        var token = await app.TokenOfAsync("many-devices");
        var loggedInAt = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromSeconds(100));

        using var go = new SemaphoreSlim(0);
        var beats = Enumerable.Range(0, 50).Select(async _ =>
        {
            await go.WaitAsync();
            return await app.BeatOkAsync(token);
        }).ToArray();
        var ticking = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(5);
            }
        });
        go.Release(50);
        var answers = await Task.WhenAll(beats);
        await ticking;

        var row = await app.RowAsync("many-devices");
        var wallClock = (long)(clock.GetUtcNow() - loggedInAt).TotalSeconds;
        Assert.Equal(answers.Sum(a => a.Credited), row!.OnlineDuration);
        Assert.InRange(row.OnlineDuration, 100, wallClock);
    }

    [Theory]
    [InlineData("{\"final\":\"true\"}")]
    [InlineData("{\"final\":1}")]
    [InlineData("{\"final\":true,\"final\":false}")]
    [InlineData("[]")]
    [InlineData("\"beat\"")]
    [InlineData("")]
    [InlineData("{")]
    public async Task A_bad_heartbeat_body_is_invalid_request_and_changes_nothing(string body)
    {
        var clock = new FakeTimeProvider(PlayTestApp.ChinaNoon);
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock));
        var token = await app.TokenOfAsync("sloppy");
        clock.Advance(TimeSpan.FromSeconds(60));
        var before = await app.DumpAsync();

        var response = await app.PostAsync("/api/play/heartbeat", body, token);

        await ProblemAssert.IsProblemAsync(response, 400, "invalid_request");
        Assert.Equal(before, await app.DumpAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task A_beat_without_a_valid_token_is_401_and_changes_nothing(string? token)
    {
        var clock = new FakeTimeProvider(PlayTestApp.ChinaNoon);
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock));
        await app.LoginOkAsync("anonymous");
        clock.Advance(TimeSpan.FromSeconds(60));
        var before = await app.DumpAsync();

        var response = await app.BeatAsync(token);

        await ProblemAssert.IsProblemAsync(response, 401, "invalid_token");
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task A_beat_with_a_token_of_a_user_without_a_profile_is_401()
    {
        await using var app = await StartAppAsync();
        var token = await app.TokenOfAsync("ghost");
        await app.Table.DeleteEntityAsync(TestHost.AppId, WeChatStandIn.OpenIdOf("ghost"));

        await ProblemAssert.IsProblemAsync(await app.BeatAsync(token), 401, "invalid_token");
        Assert.Equal(string.Empty, await app.DumpAsync());
    }
}
