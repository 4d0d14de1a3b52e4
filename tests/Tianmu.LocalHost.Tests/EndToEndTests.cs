using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tianmu.LocalHost.Hosting;

namespace Tianmu.LocalHost.Tests;

/// <summary>The README's walk-through, against the local host started as the README says.</summary>
public sealed class EndToEndTests
{
    private const string DemoApp = "wxtianmudemo000001";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_readme_walkthrough_runs_on_the_local_host_with_the_simulator_and_embedded_Azurite()
    {
        var azuriteWasRunning = LocalAzurite.IsListening(LocalAzurite.TablePort);
        // The README sleeps 10 s between beats (the default minimum interval); here the interval is 1 s to keep the test short.
        await using var host = LocalHostProcess.Start(["--simulate-wechat", "--Tianmu:Play:MinInterval=00:00:01"]);
        Assert.True(await host.WaitUntilReadyAsync(StartTimeout), "The local host did not become ready:\n" + host.Output);
        using var client = new HttpClient { BaseAddress = host.BaseUrl };
        var user = "readme-" + Guid.NewGuid().ToString("N")[..8];

        // 1. Log in with a simulator code.
        using var login = await client.PostAsync(new Uri("/api/login", UriKind.Relative), Json($"{{\"app_id\":\"{DemoApp}\",\"code\":\"test-{user}\",\"scene\":1044,\"from_code\":\"ball-resurrection-1\"}}"));
        Assert.True(login.StatusCode == HttpStatusCode.OK, $"{login.StatusCode}: {await login.Content.ReadAsStringAsync()}\n{host.Output}");
        var first = await login.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(first.GetProperty("is_new").GetBoolean());
        Assert.Equal("1044", first.GetProperty("from_scene").GetString());
        var token = first.GetProperty("jwt").GetString();
        Assert.False(string.IsNullOrEmpty(token));

        // 2. Have the simulator seal user info as the WeChat client would.
        using var seal = await client.PostAsync(new Uri("/simulator/userinfo", UriKind.Relative), Json($"{{\"app_id\":\"{DemoApp}\",\"code\":\"test-{user}\",\"nickName\":\"阿丽\",\"gender\":2,\"city\":\"Guangzhou\",\"province\":\"Guangdong\",\"country\":\"China\",\"language\":\"zh_CN\",\"avatarUrl\":\"https://thirdwx.qlogo.cn/mmopen/vi_32/alice/132\"}}"));
        Assert.Equal(HttpStatusCode.OK, seal.StatusCode);
        var sealedBody = await seal.Content.ReadAsStringAsync();
        Assert.All(["encryptedData", "iv", "signature", "rawData"], name => Assert.True(JsonDocument.Parse(sealedBody).RootElement.TryGetProperty(name, out _), name));

        // 3. updateUserInfo with the token and exactly that body.
        using var update = new HttpRequestMessage(HttpMethod.Post, "/api/updateUserInfo") { Content = Json(sealedBody) };
        update.Headers.Authorization = new("Bearer", token);
        using var updated = await client.SendAsync(update);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("阿丽", (await updated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nick_name").GetString());

        // 4. The next login returns the stored nickname.
        using var again = await client.PostAsync(new Uri("/api/login", UriKind.Relative), Json($"{{\"app_id\":\"{DemoApp}\",\"code\":\"test-{user}\"}}"));
        var second = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("阿丽", second.GetProperty("nick_name").GetString());
        Assert.Equal(2, second.GetProperty("gender").GetInt32());
        Assert.False(second.GetProperty("is_new").GetBoolean());
        Assert.Equal(2, second.GetProperty("login_times").GetInt64());
        token = second.GetProperty("jwt").GetString();

        // 5. Play: two beats and a final one after the login that started the session, then a share.
        async Task<JsonElement> PostWithTokenAsync(string path, string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
            request.Headers.Authorization = new("Bearer", token);
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        long credited = 0;
        foreach (var body in new[] { "{}", "{}", "{\"final\":true}" })
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1100));
            var beat = await PostWithTokenAsync("/api/play/heartbeat", body);
            Assert.True(beat.GetProperty("credited_seconds").GetInt64() >= 1, beat.ToString());
            credited += beat.GetProperty("credited_seconds").GetInt64();
            Assert.Equal(credited, beat.GetProperty("online_duration").GetInt64());
        }

        var afterFinal = await PostWithTokenAsync("/api/play/heartbeat", "{}");
        Assert.Equal(0, afterFinal.GetProperty("credited_seconds").GetInt64());
        var share = await PostWithTokenAsync("/api/play/share", "{\"share_id\":\"walkthrough-share-1\",\"scene\":\"level-end\"}");
        var repeat = await PostWithTokenAsync("/api/play/share", "{\"share_id\":\"walkthrough-share-1\"}");
        Assert.Equal(1, share.GetProperty("share_times").GetInt64());
        Assert.True(share.GetProperty("counted").GetBoolean());
        Assert.Equal(share.ToString(), repeat.ToString());

        // 6. A friend opens the share link: the inviter is credited.
        var friend = user + "-friend";
        using var friendLogin = await client.PostAsync(new Uri("/api/login", UriKind.Relative), Json($"{{\"app_id\":\"{DemoApp}\",\"code\":\"test-{friend}\",\"inviter\":\"{second.GetProperty("open_id").GetString()}\",\"channelCode\":\"share-card\"}}"));
        Assert.Equal("share-card", (await friendLogin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("from_code").GetString());
        using var third = await client.PostAsync(new Uri("/api/login", UriKind.Relative), Json($"{{\"app_id\":\"{DemoApp}\",\"code\":\"test-{user}\"}}"));
        var sharer = await third.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, sharer.GetProperty("share_new").GetInt64());
        Assert.Equal(credited, sharer.GetProperty("online_duration").GetInt64());
        Assert.Equal(1, sharer.GetProperty("share_times").GetInt64());

        // Like the Functions host: /api prefix, 405 with Allow and problem details, simulated WeChat errors mapped.
        using var wrongMethod = await client.GetAsync(new Uri("/api/login", UriKind.Relative));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("POST", string.Join(',', wrongMethod.Content.Headers.Allow));
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
        Assert.Equal("method_not_allowed", (await wrongMethod.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        using var unrouted = await client.PostAsync(new Uri("/login", UriKind.Relative), Json("{}"));
        Assert.Equal(HttpStatusCode.NotFound, unrouted.StatusCode);
        using var limited = await client.PostAsync(new Uri("/api/login", UriKind.Relative), Json($"{{\"app_id\":\"{DemoApp}\",\"code\":\"fail-45011\"}}"));
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.Equal("60", limited.Headers.RetryAfter?.ToString());

        Assert.True(await host.StopGracefullyAsync(TimeSpan.FromSeconds(30)), "The local host did not stop on Ctrl+C:\n" + host.Output);
        if (!azuriteWasRunning)
        {
            Assert.Contains("its data lives in", host.Output, StringComparison.Ordinal);
            Assert.False(LocalAzurite.IsListening(LocalAzurite.TablePort), "The embedded Azurite outlived the host.");
        }
    }

    [Fact]
    public async Task The_readme_account_walkthrough_exports_sends_simulated_pushes_in_both_modes_and_deletes()
    {
        await using var host = LocalHostProcess.Start(["--simulate-wechat"]);
        Assert.True(await host.WaitUntilReadyAsync(StartTimeout), "The local host did not become ready:\n" + host.Output);
        using var client = new HttpClient { BaseAddress = host.BaseUrl };
        var user = "push-" + Guid.NewGuid().ToString("N")[..8];
        async Task<JsonElement> LoginAsync()
        {
            using var login = await client.PostAsync(new Uri("/api/login", UriKind.Relative), Json($"{{\"app_id\":\"{DemoApp}\",\"code\":\"test-{user}\"}}"));
            Assert.True(login.StatusCode == HttpStatusCode.OK, $"{login.StatusCode}: {await login.Content.ReadAsStringAsync()}\n{host.Output}");
            return await login.Content.ReadFromJsonAsync<JsonElement>();
        }

        async Task<JsonElement> PushAsync(string json)
        {
            using var push = await client.PostAsync(new Uri("/simulator/push", UriKind.Relative), Json(json));
            Assert.True(push.StatusCode == HttpStatusCode.OK, $"{push.StatusCode}: {await push.Content.ReadAsStringAsync()}\n{host.Output}");
            return await push.Content.ReadFromJsonAsync<JsonElement>();
        }

        var token = (await LoginAsync()).GetProperty("jwt").GetString();
        using var seal = await client.PostAsync(new Uri("/simulator/userinfo", UriKind.Relative), Json($"{{\"app_id\":\"{DemoApp}\",\"code\":\"test-{user}\",\"nickName\":\"阿丽\",\"gender\":2,\"avatarUrl\":\"https://thirdwx.qlogo.cn/mmopen/vi_32/alice/132\"}}"));
        using var update = new HttpRequestMessage(HttpMethod.Post, "/api/updateUserInfo") { Content = Json(await seal.Content.ReadAsStringAsync()) };
        update.Headers.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(update)).StatusCode);

        // Export: everything stored, no session key.
        using var export = new HttpRequestMessage(HttpMethod.Get, "/api/account/export");
        export.Headers.Authorization = new("Bearer", token);
        using var exported = await client.SendAsync(export);
        Assert.Equal(HttpStatusCode.OK, exported.StatusCode);
        Assert.Equal("阿丽", (await exported.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("profile").GetProperty("nick_name").GetString());

        // A simulated push in safe mode (the demo app has an AES key) clears the nickname; plain mode is refused for it.
        var safe = await PushAsync($"{{\"app_id\":\"{DemoApp}\",\"code\":\"test-{user}\",\"event\":\"user_authorization_revoke\",\"revoke_info\":\"19\",\"mode\":\"safe\"}}");
        Assert.Equal((200, "success"), (safe.GetProperty("status").GetInt32(), safe.GetProperty("body").GetString()));
        var plain = await PushAsync($"{{\"app_id\":\"{DemoApp}\",\"code\":\"test-{user}\",\"event\":\"user_info_modified\",\"mode\":\"plain\"}}");
        Assert.Equal(401, plain.GetProperty("status").GetInt32());
        var after = await LoginAsync();
        Assert.Equal(string.Empty, after.GetProperty("nick_name").GetString());
        Assert.Equal("https://thirdwx.qlogo.cn/mmopen/vi_32/alice/132", after.GetProperty("avatar_url").GetString());

        // Delete with the fresh token: 204, then the token is dead.
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/account");
        delete.Headers.Authorization = new("Bearer", after.GetProperty("jwt").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(delete)).StatusCode);
        using var again = new HttpRequestMessage(HttpMethod.Delete, "/api/account");
        again.Headers.Authorization = new("Bearer", after.GetProperty("jwt").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(again)).StatusCode);
        Assert.DoesNotContain("signature=", host.Output, StringComparison.Ordinal);

        Assert.True(await host.StopGracefullyAsync(TimeSpan.FromSeconds(30)), "The local host did not stop on Ctrl+C:\n" + host.Output);
    }

    [Fact]
    public async Task The_simulator_refuses_to_start_beside_a_real_app_secret()
    {
        await using var host = LocalHostProcess.Start(
            ["--simulate-wechat"],
            new Dictionary<string, string>
            {
                ["Tianmu__Apps__wxtianmudemo000001__Secret"] = "0123456789abcdef0123456789abcdef",
                ["Tianmu__Storage__ConnectionString"] = "UseDevelopmentStorage=true",
            });

        Assert.True(await host.WaitForExitAsync(StartTimeout), "The host should have refused to start.");
        Assert.NotEqual(0, host.ExitCode);
        Assert.Contains("simulator refuses to start", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef0123456789abcdef", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_simulator_switch_there_is_no_simulator()
    {
        await using var host = LocalHostProcess.Start([], new Dictionary<string, string> { ["Tianmu__Storage__ConnectionString"] = "UseDevelopmentStorage=true" });
        Assert.True(await host.WaitUntilReadyAsync(StartTimeout), "The local host did not become ready:\n" + host.Output);
        using var client = new HttpClient { BaseAddress = host.BaseUrl };

        using var response = await client.GetAsync(new Uri("/sns/jscode2session?appid=x&secret=y&js_code=test-a&grant_type=authorization_code", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_development_token_key_is_kept_across_restarts_so_tokens_survive_them()
    {
        var environment = new Dictionary<string, string> { ["Tianmu__Storage__ConnectionString"] = "UseDevelopmentStorage=true" };
        string first;
        await using (var host = LocalHostProcess.Start([], environment))
        {
            Assert.True(await host.WaitUntilReadyAsync(StartTimeout), "The local host did not become ready:\n" + host.Output);
            first = await KidsAsync(host);
            Assert.Contains(Path.Combine(".tianmu", "jwt-dev-key.pem"), host.Output, StringComparison.Ordinal);
            Assert.True(await host.StopGracefullyAsync(TimeSpan.FromSeconds(30)), host.Output);
        }

        await using var again = LocalHostProcess.Start([], environment);
        Assert.True(await again.WaitUntilReadyAsync(StartTimeout), "The local host did not become ready:\n" + again.Output);

        Assert.Equal(first, await KidsAsync(again));
        Assert.DoesNotContain("BEGIN PRIVATE KEY", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_Development_the_host_refuses_to_start_without_a_token_key_and_names_the_setting()
    {
        await using var host = LocalHostProcess.Start(
            ["--environment", "Production"],
            new Dictionary<string, string> { ["Tianmu__Storage__ConnectionString"] = "UseDevelopmentStorage=true" });

        Assert.True(await host.WaitForExitAsync(StartTimeout), "The host should have refused to start.");
        Assert.NotEqual(0, host.ExitCode);
        Assert.Contains("Tianmu__Jwt__PrivateKey", host.Output, StringComparison.Ordinal);
    }

    private static async Task<string> KidsAsync(LocalHostProcess host)
    {
        using var client = new HttpClient { BaseAddress = host.BaseUrl };
        var jwks = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/.well-known/jwks.json", UriKind.Relative));
        return string.Join(',', jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()));
    }
}
