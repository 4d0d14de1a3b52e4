using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Profiles;

/// <summary>
/// Item 4: storage that goes away mid-run. A TCP proxy in front of the shared Azurite stages outages while
/// Azurite keeps its rows (so "no partial writes" is checked byte for byte); a private Azurite is stopped and
/// restarted for the real thing, which comes back empty.
/// </summary>
public sealed class StorageFaultTests(AppFixture fixture) : AppTest(fixture)
{
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Storage_refusing_connections_answers_503_quickly_changes_nothing_and_recovers_without_restart()
    {
        await using var proxy = new FaultyTcpProxy(Fixture.Azurite.Port);
        await using var app = await StartAppAsync(storageConnectionString: ThroughProxy(proxy));
        await app.LoginOkAsync("outage-alice");
        var token = (await app.LoginOkAsync("outage-bob")).GetProperty("jwt").GetString();
        Assert.Equal(200, (int)(await app.UpdateUserInfoAsync(app.Seal("outage-bob", "Bob"), token)).StatusCode);
        var before = await app.DumpAsync();

        proxy.Mode = ProxyMode.Refuse;
        var codes = new List<string>();
        var latencies = new List<TimeSpan>();
        foreach (var user in new[] { "outage-alice", "outage-carol", "outage-alice" })
        {
            var code = app.WeChat.NewCode(user);
            codes.Add(code);
            var (response, elapsed) = await TimedAsync(() => app.PostAsync("/api/login", Login(code)));
            latencies.Add(elapsed);
            await AssertUnavailableAsync(response);
        }

        var (update, updateElapsed) = await TimedAsync(() => app.UpdateUserInfoAsync(app.Seal("outage-bob", "Robert"), token));
        latencies.Add(updateElapsed);
        await AssertUnavailableAsync(update);

        Assert.Equal(before, await app.DumpAsync());
        Assert.All(codes, code => Assert.Equal(1, app.WeChat.RequestsFor(code)));
        Assert.All(latencies, latency => Assert.True(latency < Fast, $"a 503 took {latency.TotalMilliseconds:F0} ms"));
        Figures.Record("storage", "503 latency, connection refused, max ms", latencies.Max().TotalMilliseconds);

        proxy.Mode = ProxyMode.Forward;
        var again = await app.LoginOkAsync("outage-alice");
        var carol = await app.LoginOkAsync("outage-carol");
        var updated = await app.UpdateUserInfoAsync(app.Seal("outage-bob", "Robert"), token);

        Assert.Equal(2, again.GetProperty("login_times").GetInt64());
        Assert.True(carol.GetProperty("is_new").GetBoolean());
        Assert.Equal(200, (int)updated.StatusCode);
        Assert.Equal("Robert", (await app.RowAsync("outage-bob"))!.NickName);
    }

    [Fact]
    public async Task Storage_that_hangs_is_cut_off_by_the_login_budget()
    {
        await using var proxy = new FaultyTcpProxy(Fixture.Azurite.Port);
        await using var app = await StartAppAsync(
            new Dictionary<string, string?> { ["Tianmu:Login:Budget"] = "00:00:01.500" },
            storageConnectionString: ThroughProxy(proxy));
        await app.LoginOkAsync("hung-storage");
        var before = await app.DumpAsync();

        proxy.Mode = ProxyMode.Blackhole;
        var code = app.WeChat.NewCode("hung-storage");
        var (response, elapsed) = await TimedAsync(() => app.PostAsync("/api/login", Login(code)));

        await AssertUnavailableAsync(response);
        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"the login took {elapsed.TotalMilliseconds:F0} ms against a budget of 1.5 s");
        Assert.Equal(1, app.WeChat.RequestsFor(code));
        Figures.Record("storage", "503 latency, storage hanging, budget 1500 ms, ms", elapsed.TotalMilliseconds);
        proxy.Mode = ProxyMode.Forward;
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task Storage_that_hangs_is_cut_off_by_the_budget_in_updateUserInfo_too()
    {
        await using var proxy = new FaultyTcpProxy(Fixture.Azurite.Port);
        await using var app = await StartAppAsync(
            new Dictionary<string, string?> { ["Tianmu:Login:Budget"] = "00:00:01.500" },
            storageConnectionString: ThroughProxy(proxy));
        var token = (await app.LoginOkAsync("hung-update")).GetProperty("jwt").GetString();
        var sealedBody = app.Seal("hung-update", "Hung");
        var before = await app.DumpAsync();

        proxy.Mode = ProxyMode.Blackhole;
        var (response, elapsed) = await TimedAsync(() => app.UpdateUserInfoAsync(sealedBody, token));

        await AssertUnavailableAsync(response);
        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"the update took {elapsed.TotalMilliseconds:F0} ms against a budget of 1.5 s");
        Figures.Record("storage", "503 latency of updateUserInfo, storage hanging, budget 1500 ms, ms", elapsed.TotalMilliseconds);
        proxy.Mode = ProxyMode.Forward;
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task Logins_during_an_outage_that_starts_mid_run_answer_200_or_503_and_lose_no_committed_increment()
    {
        await using var proxy = new FaultyTcpProxy(Fixture.Azurite.Port);
        await using var app = await StartAppAsync(storageConnectionString: ThroughProxy(proxy));
        var users = Enumerable.Range(0, 4).Select(i => "midrun-" + i).ToArray();
        foreach (var user in users)
        {
            await app.LoginOkAsync(user);
        }

        var logins = users.SelectMany(u => Enumerable.Repeat(u, 10)).Select(async user =>
        {
            var response = await app.Client.PostAsync("/api/login", AppUnderTest.Json(Login(app.WeChat.NewCode(user))));
            await app.RecordAsync(response);
            return (User: user, Status: (int)response.StatusCode, RetryAfter: response.Headers.RetryAfter?.ToString());
        }).ToArray();
        await Task.Delay(40);
        proxy.Mode = ProxyMode.Refuse;
        var results = await Task.WhenAll(logins);
        proxy.Mode = ProxyMode.Forward;

        Assert.All(results, r => Assert.True(r.Status is 200 or 503, $"{r.User}: {r.Status}"));
        Assert.All(results.Where(r => r.Status == 503), r => Assert.Equal("1", r.RetryAfter));
        foreach (var user in users)
        {
            var row = await app.RowAsync(user);
            var ok = results.Count(r => r.User == user && r.Status == 200);
            var unavailable = results.Count(r => r.User == user && r.Status == 503);
            // Every answered login is stored; a 503 may or may not have reached storage before the cut, never twice.
            Assert.InRange(row!.LoginTimes - 1, ok, ok + unavailable);
        }

        Figures.Record("storage", "mid-run outage: logins answered 200", results.Count(r => r.Status == 200));
        Figures.Record("storage", "mid-run outage: logins answered 503", results.Count(r => r.Status == 503));
    }

    [Fact]
    public async Task In_Development_after_Azurite_restarts_empty_requests_succeed_without_restarting_the_app()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var app = await StartAppAsync(storageConnectionString: azurite.ConnectionString, environment: Environments.Development);
        var token = (await app.LoginOkAsync("restart-user")).GetProperty("jwt").GetString();

        await azurite.StopAsync();
        var (login, loginElapsed) = await TimedAsync(() => app.PostAsync("/api/login", Login(app.WeChat.NewCode("restart-user"))));
        var (update, updateElapsed) = await TimedAsync(() => app.UpdateUserInfoAsync(app.Seal("restart-user", "Stopped"), token));
        await AssertUnavailableAsync(login);
        await AssertUnavailableAsync(update);
        Assert.True(loginElapsed < Fast && updateElapsed < Fast, $"503s took {loginElapsed.TotalMilliseconds:F0} and {updateElapsed.TotalMilliseconds:F0} ms");
        Figures.Record("storage", "503 latency, Azurite stopped, login ms", loginElapsed.TotalMilliseconds);
        Figures.Record("storage", "503 latency, Azurite stopped, updateUserInfo ms", updateElapsed.TotalMilliseconds);

        // In-memory Azurite comes back without the table: the app must create it again by itself.
        await azurite.RestartAsync();
        var relogin = await app.LoginAsync("restart-user");
        Assert.Equal(200, (int)relogin.StatusCode);
        var profile = JsonDocument.Parse(await relogin.Content.ReadAsStringAsync()).RootElement;
        Assert.True(profile.GetProperty("is_new").GetBoolean());
        var updated = await app.UpdateUserInfoAsync(app.Seal("restart-user", "Back"), profile.GetProperty("jwt").GetString());
        Assert.Equal(200, (int)updated.StatusCode);
        var row = await new Azure.Data.Tables.TableClient(azurite.ConnectionString, app.Table.Name)
            .GetEntityAsync<Tianmu.Functions.Profiles.ProfileEntity>(TestHost.AppId, WeChatStandIn.OpenIdOf("restart-user"));
        Assert.Equal("Back", row.Value.NickName);
    }

    [Fact]
    public async Task In_Development_a_table_deleted_under_a_running_app_is_created_again()
    {
        await using var app = await StartAppAsync(environment: Environments.Development);
        var token = (await app.LoginOkAsync("deleted-inviter")).GetProperty("jwt").GetString();
        var inviter = WeChatStandIn.OpenIdOf("deleted-inviter");

        await app.Table.DeleteAsync();
        var created = await app.LoginAsync("deleted-inviter");
        await app.Table.DeleteAsync();
        var unknown = await app.UpdateUserInfoAsync(app.Seal("deleted-inviter", "Gone"), token);
        var guest = await app.LoginAsync("deleted-guest", $"\"inviter\":\"{inviter}\"");

        Assert.Equal(200, (int)created.StatusCode);
        await ProblemAssert.IsProblemAsync(unknown, 401, "invalid_token");
        Assert.Equal(200, (int)guest.StatusCode);
        Assert.NotNull(await app.RowAsync("deleted-guest"));
    }

    private static string ThroughProxy(FaultyTcpProxy proxy) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Azurite.AccountKey};TableEndpoint=http://127.0.0.1:{proxy.Port}/devstoreaccount1;";

    private static string Login(string code) => $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{code}\"}}";

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        await ProblemAssert.IsProblemAsync(response, 503, "upstream_unavailable");
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
    }

    private static async Task<(HttpResponseMessage Response, TimeSpan Elapsed)> TimedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        var response = await send();
        return (response, clock.Elapsed);
    }
}
