using System.Diagnostics;
using System.Globalization;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Limits;

/// <summary>docs/API.md, "Abuse limits", over HTTP: Bearer routes per user, rejected logins per IP, 429 with Retry-After.</summary>
public sealed class AbuseLimitsHttpTests(AppFixture fixture, ITestOutputHelper output) : AppTest(fixture)
{
    [Fact]
    public async Task A_user_over_the_limit_gets_429_with_Retry_After_and_nothing_changes_while_other_users_are_served()
    {
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Limits:UserRequestsPerMinute"] = "3" }, spy: spy);
        var flooder = (await app.LoginOkAsync("flooder")).GetProperty("jwt").GetString();
        var other = (await app.LoginOkAsync("bystander")).GetProperty("jwt").GetString();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (int)(await app.UpdateUserInfoAsync(app.Seal("flooder", "Flood " + i), flooder)).StatusCode);
        }

        var before = await app.DumpAsync();
        var requests = spy.Count;
        var refused = await app.UpdateUserInfoAsync(app.Seal("flooder", "Flood 4"), flooder);

        await ProblemAssert.IsProblemAsync(refused, 429, "rate_limited");
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(before, await app.DumpAsync());
        Assert.Equal(requests, spy.Count);
        Assert.Equal(200, (int)(await app.UpdateUserInfoAsync(app.Seal("bystander", "Calm"), other)).StatusCode);
    }

    [Fact]
    public async Task Credentials_come_before_the_rate_limit_and_the_limit_before_the_body()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Limits:UserRequestsPerMinute"] = "1" });
        var token = (await app.LoginOkAsync("order")).GetProperty("jwt").GetString();
        Assert.Equal(200, (int)(await app.UpdateUserInfoAsync(app.Seal("order", "Once"), token)).StatusCode);

        await ProblemAssert.IsProblemAsync(await app.PostAsync("/api/updateUserInfo", "{}", "not-a-token"), 401, "invalid_token");
        await ProblemAssert.IsProblemAsync(await app.PostAsync("/api/updateUserInfo", "not json", token), 429, "rate_limited");
    }

    [Fact]
    public async Task Logins_WeChat_rejected_close_the_address_for_the_minute_without_calling_WeChat_and_accepted_logins_never_count()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?>
        {
            ["Tianmu:Http:TrustForwardedFor"] = "true",
            ["Tianmu:Limits:RejectedLoginsPerIpPerMinute"] = "3",
        });

        // Carrier-grade NAT: many accepted logins behind one address are never limited.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (int)(await LoginFromAsync(app, app.WeChat.NewCode("nat-player-" + i), "198.51.100.20")).StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            await ProblemAssert.IsProblemAsync(await LoginFromAsync(app, "forged-code-" + i, "198.51.100.20"), 400, "invalid_code");
        }

        var code = app.WeChat.NewCode("nat-player-late");
        var refused = await LoginFromAsync(app, code, "198.51.100.20");

        await ProblemAssert.IsProblemAsync(refused, 429, "rate_limited");
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(0, app.WeChat.RequestsFor(code));
        Assert.Null(await app.RowAsync("nat-player-late"));
        Assert.Equal(200, (int)(await LoginFromAsync(app, app.WeChat.NewCode("elsewhere"), "198.51.100.21")).StatusCode);
        Assert.Equal(200, (int)(await LoginFromAsync(app, app.WeChat.NewCode("unknown-address"), null)).StatusCode);
    }

    [Fact]
    public async Task Load_a_flood_from_one_user_is_answered_429_while_other_users_of_the_app_are_served()
    {
        await using var app = await StartAppAsync();
        var flooder = (await app.LoginOkAsync("load-flooder")).GetProperty("jwt").GetString();
        var others = new List<(string User, string Token)>();
        for (var i = 0; i < 20; i++)
        {
            others.Add(("load-player-" + i, (await app.LoginOkAsync("load-player-" + i)).GetProperty("jwt").GetString()!));
        }

        var flood = app.Seal("load-flooder", "Flood");
        var floodCodes = new System.Collections.Concurrent.ConcurrentBag<int>();
        var otherCodes = new System.Collections.Concurrent.ConcurrentBag<int>();
        var floodLatency = new System.Collections.Concurrent.ConcurrentBag<double>();
        var otherLatency = new System.Collections.Concurrent.ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var flooding = Parallel.ForEachAsync(Enumerable.Range(0, 1_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await PostAuthorizedAsync(app, flood, flooder);
            floodLatency.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            floodCodes.Add((int)response.StatusCode);
        });
        var serving = Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var (user, token) = others[i % others.Count];
            var started = Stopwatch.GetTimestamp();
            using var response = await PostAuthorizedAsync(app, app.Seal(user, "Player " + (i % 7)), token);
            otherLatency.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            otherCodes.Add((int)response.StatusCode);
        });
        await Task.WhenAll(flooding, serving);
        var elapsed = clock.Elapsed;

        var flood200 = floodCodes.Count(c => c == 200);
        var flood429 = floodCodes.Count(c => c == 429);
        output.WriteLine($"flood: {floodCodes.Count} requests, {flood200} × 200, {flood429} × 429, p50 {Percentile(floodLatency, 50):F1} ms; others: {otherCodes.Count} requests, {otherCodes.Count(c => c == 200)} × 200, p50 {Percentile(otherLatency, 50):F1} ms, p99 {Percentile(otherLatency, 99):F1} ms; {elapsed.TotalSeconds:F1} s");
        Figures.Record("limits", "flood of one user: requests", floodCodes.Count);
        Figures.Record("limits", "flood of one user: 200", flood200);
        Figures.Record("limits", "flood of one user: 429", flood429);
        Figures.Record("limits", "flood of one user: p50 ms", Percentile(floodLatency, 50));
        Figures.Record("limits", "other users during the flood: requests", otherCodes.Count);
        Figures.Record("limits", "other users during the flood: 200", otherCodes.Count(c => c == 200));
        Figures.Record("limits", "other users during the flood: p50 ms", Percentile(otherLatency, 50));
        Figures.Record("limits", "other users during the flood: p99 ms", Percentile(otherLatency, 99));

        // The default limit (120 a minute) lets at most two windows' worth through even across a minute boundary.
        Assert.InRange(flood200, 1, 240);
        Assert.Equal(floodCodes.Count, flood200 + flood429);
        Assert.All(otherCodes, c => Assert.Equal(200, c));
    }

    private static async Task<HttpResponseMessage> PostAuthorizedAsync(AppUnderTest app, string body, string? token)
    {
        SecretsWitness.NoteSealedBody(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/updateUserInfo") { Content = AppUnderTest.Json(body) };
        request.Headers.Authorization = new("Bearer", token);
        return await app.Client.SendAsync(request);
    }

    private static double Percentile(IEnumerable<double> values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];
    }

    private static async Task<HttpResponseMessage> LoginFromAsync(AppUnderTest app, string code, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/login")
        {
            Content = AppUnderTest.Json($"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{code}\"}}"),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await app.SendAsync(request);
    }
}
