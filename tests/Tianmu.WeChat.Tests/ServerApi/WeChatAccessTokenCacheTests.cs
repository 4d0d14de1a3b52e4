using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Tianmu.WeChat.AccessTokens;

namespace Tianmu.WeChat.Tests.ServerApi;

/// <summary>The access-token cache, registered as the app registers it, against a real HTTP server.</summary>
public sealed class WeChatAccessTokenCacheTests(FakeWeChatApi api) : IClassFixture<FakeWeChatApi>
{
    private const string Secret = "c0ffee0123456789abcdef0123456789";
    private const string StableToken = "/cgi-bin/stable_token";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_posts_client_credential_json_with_force_refresh_false()
    {
        var wechat = new StableWeChat();
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        var result = await services.Tokens.GetAsync("wx1", Secret, Ct);

        Assert.Equal(WeChatAccessTokenStatus.Success, result.Status);
        Assert.Equal(wechat.Current, result.Token!.Value);
        var request = Assert.Single(api.ReceivedBy(scope, StableToken));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal("client_credential", request.Body.GetProperty("grant_type").GetString());
        Assert.Equal("wx1", request.Body.GetProperty("appid").GetString());
        Assert.Equal(Secret, request.Body.GetProperty("secret").GetString());
        Assert.False(request.ForceRefresh);
        Assert.Null(request.AccessToken);
    }

    [Fact]
    public async Task Fifty_concurrent_callers_share_one_fetch()
    {
        var wechat = new StableWeChat { TokenDelay = TimeSpan.FromMilliseconds(300) };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));
        var tokens = services.Tokens;

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => tokens.GetAsync("wx1", Secret, Ct), Ct)));

        Assert.All(results, result => Assert.Equal(wechat.Current, result.Token?.Value));
        Assert.Single(api.ReceivedBy(scope, StableToken));
    }

    [Fact]
    public async Task A_cached_token_is_reused_and_each_app_has_its_own()
    {
        var wechat = new StableWeChat();
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        await services.Tokens.GetAsync("wx1", Secret, Ct);
        await services.Tokens.GetAsync("wx1", Secret, Ct);
        await services.Tokens.GetAsync("wx2", Secret, Ct);

        Assert.Equal(["wx1", "wx2"], api.ReceivedBy(scope, StableToken).Select(r => r.Body.GetProperty("appid").GetString()));
    }

    [Fact]
    public async Task A_token_is_handed_out_until_5_minutes_before_expires_in()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var wechat = new StableWeChat { ExpiresIn = 7200 };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope), time: time);

        var first = await services.Tokens.GetAsync("wx1", Secret, Ct);
        Assert.Equal(time.GetUtcNow().AddSeconds(7200 - 300), first.Token!.RefreshAt);

        time.Advance(TimeSpan.FromSeconds(7200 - 300 - 1));
        await services.Tokens.GetAsync("wx1", Secret, Ct);
        Assert.Single(api.ReceivedBy(scope, StableToken));

        time.Advance(TimeSpan.FromSeconds(1));
        await services.Tokens.GetAsync("wx1", Secret, Ct);
        Assert.Equal(2, api.ReceivedBy(scope, StableToken).Count);
    }

    [Fact]
    public async Task A_failed_fetch_is_not_cached()
    {
        var wechat = new StableWeChat();
        wechat.TokenAnswer = index => index == 0
            ? FakeWeChatApi.Json("""{"errcode":-1,"errmsg":"system error"}""")
            : FakeWeChatApi.Json("""{"access_token":"second-token","expires_in":7200}""");
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        var first = await services.Tokens.GetAsync("wx1", Secret, Ct);
        var second = await services.Tokens.GetAsync("wx1", Secret, Ct);

        Assert.Equal(new WeChatAccessTokenResult(WeChatAccessTokenStatus.Busy, ErrorCode: -1), first);
        Assert.Equal("second-token", second.Token?.Value);
    }

    [Theory]
    [InlineData(200, """{"errcode":-1,"errmsg":"system error"}""", WeChatAccessTokenStatus.Busy, -1)]
    [InlineData(200, """{"errcode":40013,"errmsg":"invalid appid"}""", WeChatAccessTokenStatus.InvalidAppCredentials, 40013)]
    [InlineData(200, """{"errcode":40125,"errmsg":"invalid appsecret"}""", WeChatAccessTokenStatus.InvalidAppCredentials, 40125)]
    [InlineData(200, """{"errcode":40164,"errmsg":"invalid ip 1.2.3.4, not in whitelist"}""", WeChatAccessTokenStatus.InvalidAppCredentials, 40164)]
    [InlineData(200, """{"errcode":45009,"errmsg":"reach max api daily quota limit"}""", WeChatAccessTokenStatus.UpstreamError, 45009)]
    [InlineData(200, """{"errcode":45011,"errmsg":"api minute-quota reach limit"}""", WeChatAccessTokenStatus.UpstreamError, 45011)]
    [InlineData(200, """{"errcode":40002,"errmsg":"invalid grant_type"}""", WeChatAccessTokenStatus.UpstreamError, 40002)]
    [InlineData(200, """not json""", WeChatAccessTokenStatus.UpstreamError, null)]
    [InlineData(200, """{"access_token":"x"}""", WeChatAccessTokenStatus.UpstreamError, null)]
    [InlineData(200, """{"access_token":"x","expires_in":0}""", WeChatAccessTokenStatus.UpstreamError, null)]
    [InlineData(200, """{"access_token":"","expires_in":7200}""", WeChatAccessTokenStatus.UpstreamError, null)]
    [InlineData(200, """{"access_token":"x","expires_in":"7200"}""", WeChatAccessTokenStatus.UpstreamError, null)]
    [InlineData(200, """{"access_token":"x","access_token":"y","expires_in":7200}""", WeChatAccessTokenStatus.UpstreamError, null)]
    [InlineData(500, "", WeChatAccessTokenStatus.Unavailable, null)]
    [InlineData(503, "", WeChatAccessTokenStatus.Unavailable, null)]
    [InlineData(404, "", WeChatAccessTokenStatus.UpstreamError, null)]
    [InlineData(302, "", WeChatAccessTokenStatus.UpstreamError, null)]
    public async Task Stable_token_answers_map_to_one_status(int status, string body, WeChatAccessTokenStatus expected, int? errorCode)
    {
        var wechat = new StableWeChat { TokenAnswer = _ => Task.FromResult<(int, string, string)?>((status, "text/plain", body)) };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        var result = await services.Tokens.GetAsync("wx1", Secret, Ct);

        Assert.Equal(new WeChatAccessTokenResult(expected, ErrorCode: errorCode), result);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json; encoding=utf-8")]
    [InlineData("text/html")]
    public async Task A_success_is_read_as_json_whatever_its_content_type(string contentType)
    {
        var wechat = new StableWeChat { TokenAnswer = _ => FakeWeChatApi.Json("\uFEFF{\"access_token\":\"tok\",\"expires_in\":7200}", contentType) };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        Assert.Equal("tok", (await services.Tokens.GetAsync("wx1", Secret, Ct)).Token?.Value);
    }

    [Fact]
    public async Task An_answer_over_the_size_cap_is_an_upstream_error()
    {
        var big = $$"""{"access_token":"tok","expires_in":7200,"pad":"{{new string('x', 70_000)}}"}""";
        var wechat = new StableWeChat { TokenAnswer = _ => FakeWeChatApi.Json(big) };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        Assert.Equal(WeChatAccessTokenStatus.UpstreamError, (await services.Tokens.GetAsync("wx1", Secret, Ct)).Status);
    }

    [Fact]
    public async Task No_answer_within_the_timeout_is_a_timeout()
    {
        var wechat = new StableWeChat { TokenAnswer = _ => FakeWeChatApi.Hang() };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope), timeout: TimeSpan.FromMilliseconds(300));

        Assert.Equal(WeChatAccessTokenStatus.Timeout, (await services.Tokens.GetAsync("wx1", Secret, Ct)).Status);
    }

    [Fact]
    public async Task An_unreachable_server_is_unavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var services = new ServerApiServices(new Uri($"http://127.0.0.1:{port}/"));

        Assert.Equal(WeChatAccessTokenStatus.Unavailable, (await services.Tokens.GetAsync("wx1", Secret, Ct)).Status);
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_fail_the_shared_fetch()
    {
        var wechat = new StableWeChat { TokenDelay = TimeSpan.FromMilliseconds(400) };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));
        using var impatient = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var giving = services.Tokens.GetAsync("wx1", Secret, impatient.Token);
        var waiting = services.Tokens.GetAsync("wx1", Secret, Ct);
        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => giving);
        Assert.Equal(wechat.Current, (await waiting).Token?.Value);
        Assert.Single(api.ReceivedBy(scope, StableToken));
    }

    [Theory]
    [InlineData(40001)]
    [InlineData(42001)]
    public async Task A_rejected_token_is_renewed_and_the_call_retried_exactly_once(int rejection)
    {
        var wechat = new StableWeChat { RejectionCode = rejection };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));
        var rejected = wechat.Current;
        await services.Tokens.GetAsync("wx1", Secret, Ct);
        wechat.RevokeCurrent(); // e.g. leaked and revoked: WeChat still hands it out until a forced refresh

        var result = await services.TextCheck.CheckAsync("wx1", Secret, "openid-1", "hello", Ct);

        Assert.Equal(ContentSecurity.WeChatTextCheckStatus.Pass, result.Status);
        Assert.Equal([rejected, wechat.Current], api.ReceivedBy(scope, "/wxa/msg_sec_check").Select(r => r.AccessToken));
        Assert.NotEqual(rejected, wechat.Current);
        // first fetch, the normal re-fetch that gave the rejected token back, then one forced refresh
        Assert.Equal([false, false, true], api.ReceivedBy(scope, StableToken).Select(r => r.ForceRefresh));
    }

    [Fact]
    public async Task A_token_renewed_elsewhere_is_taken_without_a_forced_refresh()
    {
        var wechat = new StableWeChat();
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));
        await services.Tokens.GetAsync("wx1", Secret, Ct);
        // Another instance forced a refresh: WeChat's current token is new, ours is refused.
        wechat.TokenAnswer = null;
        _ = await new HttpClient().PostAsync(new Uri(api.BaseUrl(scope), "cgi-bin/stable_token"),
            new StringContent("""{"force_refresh":true}"""), Ct);

        var result = await services.TextCheck.CheckAsync("wx1", Secret, "openid-1", "hello", Ct);

        Assert.Equal(ContentSecurity.WeChatTextCheckStatus.Pass, result.Status);
        Assert.Equal([false, true, false], api.ReceivedBy(scope, StableToken).Select(r => r.ForceRefresh));
    }

    [Fact]
    public async Task Force_refresh_is_sent_at_most_once_per_app_per_30_seconds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var wechat = new StableWeChat();
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope), time: time);
        var check = services.TextCheck;

        await services.Tokens.GetAsync("wx1", Secret, Ct);
        wechat.RevokeCurrent();
        Assert.Equal(ContentSecurity.WeChatTextCheckStatus.Pass, (await check.CheckAsync("wx1", Secret, "o", "a", Ct)).Status);

        time.Advance(TimeSpan.FromSeconds(29));
        wechat.RevokeCurrent();
        var within = await check.CheckAsync("wx1", Secret, "o", "b", Ct);
        Assert.Equal(ContentSecurity.WeChatTextCheckStatus.UpstreamError, within.Status);
        Assert.Equal(40001, within.ErrorCode);
        Assert.Single(api.ReceivedBy(scope, StableToken), r => r.ForceRefresh == true);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ContentSecurity.WeChatTextCheckStatus.Pass, (await check.CheckAsync("wx1", Secret, "o", "c", Ct)).Status);
        Assert.Equal(2, api.ReceivedBy(scope, StableToken).Count(r => r.ForceRefresh == true));
    }

    [Fact]
    public async Task Invalidate_drops_only_the_token_it_names()
    {
        var wechat = new StableWeChat();
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));
        var token = (await services.Tokens.GetAsync("wx1", Secret, Ct)).Token!.Value;

        services.Tokens.Invalidate("wx1", "some-older-token");
        await services.Tokens.GetAsync("wx1", Secret, Ct);
        Assert.Single(api.ReceivedBy(scope, StableToken));

        services.Tokens.Invalidate("wx1", token);
        await services.Tokens.GetAsync("wx1", Secret, Ct);
        Assert.Equal(2, api.ReceivedBy(scope, StableToken).Count);
    }

    [Fact]
    public void A_token_prints_without_its_value()
    {
        var token = new WeChatAccessToken("secret-token-value", DateTimeOffset.UnixEpoch);

        Assert.DoesNotContain("secret-token-value", token.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token-value", new WeChatAccessTokenResult(WeChatAccessTokenStatus.Success, token).ToString(), StringComparison.Ordinal);
    }
}
