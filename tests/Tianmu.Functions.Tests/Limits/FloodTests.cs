using System.Diagnostics;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Limits;

/// <summary>Runs alone, after the parallel tests: a flood saturates this 2-core machine and would skew their budgets.</summary>
[CollectionDefinition(nameof(LoadRunsAlone), DisableParallelization = true)]
public sealed class LoadRunsAlone;

/// <summary>docs/RELIABILITY.md, "Abuse limits": a flood from one user is answered 429 while other users are served.</summary>
[Collection(nameof(LoadRunsAlone))]
public sealed class FloodTests(AppFixture fixture, ITestOutputHelper output) : AppTest(fixture)
{
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
}
