using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Servers;
using Tianmu.Functions.Tests.Wallet;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Servers;

/// <summary>docs/API.md "Server routes": the per-app server key, its start-up check, and the user route.</summary>
public sealed class ServerKeyTests(AppFixture fixture) : AppTest(fixture)
{
    public static TheoryData<string> Defects() =>
    [
        "missing", "wrong", "other-app", "prefix", "extended", "repeated", "bearer", "query", "lower-case-app", "unknown-app", "app-without-key",
    ];

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task Every_server_key_defect_answers_401_invalid_server_key_with_the_challenge_and_changes_nothing(string defect)
    {
        // A key sent in the query string is the caller's mistake and may reach the host's request log: that case runs
        // with a key of its own, so that the secrets check still covers the app's usual key.
        var queryKey = "query-case-server-key-" + Guid.NewGuid().ToString("N");
        var overrides = new Dictionary<string, string?> { [$"Tianmu:Apps:wxnokey000000001:Secret"] = "no-key-secret" };
        if (defect == "query")
        {
            overrides[$"Tianmu:Apps:{TestHost.AppId}:ServerKey"] = queryKey;
        }

        await using var app = await StartAppAsync(overrides);
        var login = await app.LoginOkAsync("key-defects");
        var token = login.GetProperty("jwt").GetString()!;
        var before = await app.DumpAsync();
        var body = WalletRequests.Body("key-defects", 10, "defect-" + defect);
        var appId = defect switch
        {
            "lower-case-app" => TestHost.AppId.ToUpperInvariant(),
            "unknown-app" => "wxunknown00000001",
            "app-without-key" => "wxnokey000000001",
            _ => TestHost.AppId,
        };
        var path = WalletRequests.TransactionsPath(appId) + (defect == "query" ? "?X-Tianmu-Server-Key=" + queryKey + "&server_key=" + queryKey : string.Empty);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = AppUnderTest.Json(body) };
        switch (defect)
        {
            case "wrong": request.Headers.Add(ServerKeyAuthenticator.HeaderName, "x" + TestHost.ServerKey[1..]); break;
            case "other-app": request.Headers.Add(ServerKeyAuthenticator.HeaderName, TestHost.OtherServerKey); break;
            case "prefix": request.Headers.Add(ServerKeyAuthenticator.HeaderName, TestHost.ServerKey[..^1]); break;
            case "extended": request.Headers.Add(ServerKeyAuthenticator.HeaderName, TestHost.ServerKey + "0"); break;
            case "repeated": request.Headers.Add(ServerKeyAuthenticator.HeaderName, [TestHost.ServerKey, TestHost.ServerKey]); break;
            case "bearer": request.Headers.Authorization = new("Bearer", token); break;
            case "lower-case-app" or "unknown-app" or "app-without-key": request.Headers.Add(ServerKeyAuthenticator.HeaderName, TestHost.ServerKey); break;
        }

        var response = await app.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, 401, "invalid_server_key");
        Assert.Equal("TianmuServerKey", string.Join(',', response.Headers.WwwAuthenticate.Select(h => h.ToString())));
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task The_user_route_takes_the_same_key_and_refuses_a_bearer_token()
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync("user-route-key")).GetProperty("jwt").GetString()!;
        var openId = WeChatStandIn.OpenIdOf("user-route-key");
        using var bearer = new HttpRequestMessage(HttpMethod.Get, $"/api/server/apps/{TestHost.AppId}/users/{openId}");
        bearer.Headers.Authorization = new("Bearer", token);

        await ProblemAssert.IsProblemAsync(await app.SendAsync(bearer), 401, "invalid_server_key");
        await ProblemAssert.IsProblemAsync(await app.GetServerUserAsync(openId, serverKey: null), 401, "invalid_server_key");
        await ProblemAssert.IsProblemAsync(await app.GetServerUserAsync(openId, TestHost.OtherServerKey), 401, "invalid_server_key");
        await ProblemAssert.IsProblemAsync(await app.GetServerUserAsync(openId, TestHost.ServerKey, TestHost.OtherAppId), 401, "invalid_server_key");
    }

    [Fact]
    public async Task The_user_route_answers_the_profile_with_empty_jwt_is_new_false_and_the_wallet_balances()
    {
        await using var app = await StartAppAsync();
        var login = await app.LoginOkAsync("user-route");
        await app.TransactOkAsync("user-route", 700, "buy-gold-0001");
        await app.TransactOkAsync("user-route", 3, "buy-diamond-01", currency: "diamond");

        var response = await app.GetServerUserAsync(WeChatStandIn.OpenIdOf("user-route"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(string.Empty, profile.GetProperty("jwt").GetString());
        Assert.False(profile.GetProperty("is_new").GetBoolean());
        Assert.Equal(700, profile.GetProperty("gold").GetInt64());
        Assert.Equal(3, profile.GetProperty("diamond").GetInt64());
        Assert.Equal(login.GetProperty("pid").GetString(), profile.GetProperty("pid").GetString());
        Assert.False(profile.TryGetProperty("session_key", out _));

        var again = await app.LoginOkAsync("user-route");
        Assert.Equal(700, again.GetProperty("gold").GetInt64());
        Assert.Equal(3, again.GetProperty("diamond").GetInt64());
    }

    [Fact]
    public async Task The_user_route_answers_404_unknown_user_for_a_user_without_a_profile_or_of_another_app()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("other-app-user", appId: TestHost.OtherAppId);

        await ProblemAssert.IsProblemAsync(await app.GetServerUserAsync("nobody-here"), 404, "unknown_user");
        await ProblemAssert.IsProblemAsync(await app.GetServerUserAsync(WeChatStandIn.OpenIdOf("other-app-user")), 404, "unknown_user");
    }

    [Theory]
    [InlineData("has.dot")]
    [InlineData("has%20space")]
    [InlineData("has~tilde")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_X")]
    [InlineData("line%0A")]
    public async Task The_user_route_answers_400_for_an_open_id_out_of_pattern(string openId)
    {
        await using var app = await StartAppAsync();
        await ProblemAssert.IsProblemAsync(await app.GetServerUserAsync(openId), 400, "invalid_request");
    }

    [Fact]
    public async Task Credentials_are_checked_after_method_size_and_media_type_and_before_the_body()
    {
        await using var app = await StartAppAsync();
        using var wrongType = new HttpRequestMessage(HttpMethod.Post, WalletRequests.TransactionsPath()) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "text/plain") };
        await ProblemAssert.IsProblemAsync(await app.SendAsync(wrongType), 415, "unsupported_media_type");
        using var get = new HttpRequestMessage(HttpMethod.Get, WalletRequests.TransactionsPath());
        await ProblemAssert.IsProblemAsync(await app.SendAsync(get), 405, "method_not_allowed");
        await ProblemAssert.IsProblemAsync(await app.PostTransactionAsync("not json", serverKey: "wrong"), 401, "invalid_server_key");
        await ProblemAssert.IsProblemAsync(await app.PostTransactionAsync("not json"), 400, "invalid_request");
    }

    [Fact]
    public async Task A_configured_server_key_shorter_than_32_characters_stops_the_app_naming_the_variable()
    {
        var failure = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => Fixture.StartAppAsync(
            new Dictionary<string, string?> { [$"Tianmu:Apps:{TestHost.AppId}:ServerKey"] = new string('k', 31) }));

        Assert.Contains($"Tianmu__Apps__{TestHost.AppId}__ServerKey", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('k', 31), failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unresolved_Key_Vault_reference_counts_as_no_server_key()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?>
        {
            [$"Tianmu:Apps:{TestHost.AppId}:ServerKey"] = "@Microsoft.KeyVault(SecretUri=https://vault.vault.azure.net/secrets/serverkey)",
        });
        await app.LoginOkAsync("kv-unresolved");

        var response = await app.GetServerUserAsync(WeChatStandIn.OpenIdOf("kv-unresolved"), "@Microsoft.KeyVault(SecretUri=https://vault.vault.azure.net/secrets/serverkey)");

        await ProblemAssert.IsProblemAsync(response, 401, "invalid_server_key");
    }

    [Fact]
    public void The_authenticator_passes_only_the_exact_key_of_the_named_app()
    {
        var registry = new AppRegistry(
            [new("wxa", "sa"), new("wxb", "sb"), new("wxc", "sc")],
            [new("wxa", new string('a', 40)), new("wxb", new string('b', 32)), new("wxunserved", new string('u', 40))]);
        var authenticator = new ServerKeyAuthenticator(registry, Limits(serverRequestsPerSecond: 0));

        authenticator.Authenticate(Request(new string('a', 40)), "wxa");
        authenticator.Authenticate(Request(new string('b', 32)), "wxb");
        Assert.Equal(ApiErrorCode.InvalidServerKey, Assert.Throws<ApiException>(() => authenticator.Authenticate(Request(new string('a', 40)), "wxb")).Code);
        Assert.Throws<ApiException>(() => authenticator.Authenticate(Request(string.Empty), "wxc"));
        Assert.Throws<ApiException>(() => authenticator.Authenticate(Request(new string('u', 40)), "wxunserved"));
        Assert.Throws<ApiException>(() => authenticator.Authenticate(Request(new string('a', 40)), null));
        Assert.Throws<ApiException>(() => authenticator.Authenticate(new DefaultHttpContext().Request, "wxa"));
    }

    [Fact]
    public void Server_keys_shorter_than_32_characters_fail_validation_and_missing_or_unresolved_ones_do_not()
    {
        var options = new ServerKeyOptions();
        options.Apps["wxok"] = new() { ServerKey = new string('k', 32) };
        options.Apps["wxnone"] = new() { ServerKey = null };
        options.Apps["wxvault"] = new() { ServerKey = "@Microsoft.KeyVault(SecretUri=x)" };
        Assert.True(new ServerKeyOptionsValidator().Validate(null, options).Succeeded);

        options.Apps["wxshort"] = new() { ServerKey = "short" };
        var result = new ServerKeyOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("Tianmu__Apps__wxshort__ServerKey", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_server_route_limit_is_counted_per_app_once_the_key_passes_and_answers_429_with_Retry_After()
    {
        var registry = new AppRegistry([new("wxa", "sa"), new("wxb", "sb")], [new("wxa", new string('a', 40)), new("wxb", new string('b', 40))]);
        var authenticator = new ServerKeyAuthenticator(registry, Limits(serverRequestsPerSecond: 2));

        // A wrong key is refused before the limit: it spends nothing of the app's allowance.
        Assert.Equal(ApiErrorCode.InvalidServerKey, Assert.Throws<ApiException>(() => authenticator.Authenticate(Request("wrong"), "wxa")).Code);
        authenticator.Authenticate(Request(new string('a', 40)), "wxa");
        authenticator.Authenticate(Request(new string('a', 40)), "wxa");
        var limited = Assert.Throws<ApiException>(() => authenticator.Authenticate(Request(new string('a', 40)), "wxa"));

        Assert.Equal(ApiErrorCode.RateLimited, limited.Code);
        Assert.True(limited.RetryAfterSeconds is >= 1);
        authenticator.Authenticate(Request(new string('b', 40)), "wxb");
    }

    private static HttpRequest Request(string key)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[ServerKeyAuthenticator.HeaderName] = key;
        return context.Request;
    }

    private static Tianmu.Functions.Limits.AbuseLimits Limits(int serverRequestsPerSecond) => new(
        Microsoft.Extensions.Options.Options.Create(new Tianmu.Functions.Limits.LimitsOptions { ServerRequestsPerSecond = serverRequestsPerSecond }),
        new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<Tianmu.Functions.Limits.AbuseLimits>.Instance);
}
