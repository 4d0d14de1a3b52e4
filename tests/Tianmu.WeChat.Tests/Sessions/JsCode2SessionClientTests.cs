using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Tianmu.WeChat.Sessions;

namespace Tianmu.WeChat.Tests.Sessions;

/// <summary>The jscode2session client, registered as the app registers it, against a real HTTP server.</summary>
public sealed class JsCode2SessionClientTests(FakeWeChatServer server) : IClassFixture<FakeWeChatServer>, IDisposable
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private const string Code = "081aBcDe2xYzAb0Lm0Fg3Hi0kP1aBcDe";
    private const string SessionKey = "HyVFkGl5F5OQWJZZaNzBBg==";
    private const string OpenId = "oGZUI0egBJY1zhBYw2KhdUfwVJJE";
    private const string UnionId = "ocMvos6NjeKLIBqg5Mr9QjxrP1FA";

    private static readonly string SuccessBody =
        $$"""{"openid":"{{OpenId}}","session_key":"{{SessionKey}}","unionid":"{{UnionId}}"}""";

    private readonly FakeLogCollector _logs = new();
    private readonly List<ServiceProvider> _providers = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }
    }

    [Fact]
    public async Task Exchange_sends_one_GET_to_sns_jscode2session_with_every_value_url_encoded()
    {
        var appId = server.NewApp(FakeWeChatServer.Answer(SuccessBody));
        const string secret = "s3cr&t=+/ %é";
        const string code = "a+b/c=d&e f?g#h";

        await Client().ExchangeAsync(appId, secret, code, Ct);

        var request = Assert.Single(server.ReceivedBy(appId));
        Assert.Equal("GET", request.Method);
        Assert.Equal("/sns/jscode2session", request.Path);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["appid"] = appId,
                ["secret"] = secret,
                ["js_code"] = code,
                ["grant_type"] = "authorization_code",
            },
            request.Query);
    }

    [Theory]
    [InlineData("wechat")]
    [InlineData("wechat/")]
    public async Task Exchange_appends_the_path_to_a_base_url_with_or_without_a_trailing_slash(string basePath)
    {
        var appId = server.NewApp(FakeWeChatServer.Answer(SuccessBody));

        await Client(baseUrl: new Uri(server.BaseUrl, basePath)).ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal("/wechat/sns/jscode2session", Assert.Single(server.ReceivedBy(appId)).Path);
    }

    [Theory]
    [InlineData("https://api.weixin.qq.com")]
    [InlineData("https://api.weixin.qq.com/")]
    public void BuildRequestUri_joins_the_base_url_and_the_path_with_one_slash(string baseUrl)
    {
        var uri = JsCode2SessionClient.BuildRequestUri(new Uri(baseUrl), "wx1", "s", "c");

        Assert.Equal("https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=s&js_code=c&grant_type=authorization_code", uri.AbsoluteUri);
    }

    [Fact]
    public async Task Exchange_with_unionid_returns_the_whole_session()
    {
        var appId = server.NewApp(FakeWeChatServer.Answer(SuccessBody));

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(new JsCode2SessionResult(JsCode2SessionStatus.Success, new WeChatSession(OpenId, SessionKey, UnionId)), result);
        Assert.True(result.IsSuccess);
    }

    [Fact]
    public async Task Exchange_without_unionid_returns_an_empty_union_id()
    {
        var appId = server.NewApp(FakeWeChatServer.Answer($$"""{"session_key":"{{SessionKey}}","openid":"{{OpenId}}"}"""));

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(new WeChatSession(OpenId, SessionKey, ""), result.Session);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/octet-stream")]
    [InlineData("")]
    public async Task Exchange_reads_json_whatever_the_content_type(string contentType)
    {
        var appId = server.NewApp(FakeWeChatServer.Answer(SuccessBody, contentType));

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(JsCode2SessionStatus.Success, result.Status);
    }

    [Fact]
    public async Task Exchange_with_errcode_0_and_a_session_succeeds()
    {
        var appId = server.NewApp(FakeWeChatServer.Answer(
            $$"""{"errcode":0,"errmsg":"ok","openid":"{{OpenId}}","session_key":"{{SessionKey}}"}""", "text/plain"));

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(JsCode2SessionStatus.Success, result.Status);
    }

    [Theory]
    [InlineData(40029, JsCode2SessionStatus.InvalidCode)]
    [InlineData(40163, JsCode2SessionStatus.InvalidCode)]
    [InlineData(45011, JsCode2SessionStatus.RateLimited)]
    [InlineData(40226, JsCode2SessionStatus.LoginBlocked)]
    [InlineData(-1, JsCode2SessionStatus.Busy)]
    [InlineData(40013, JsCode2SessionStatus.InvalidAppCredentials)]
    [InlineData(40125, JsCode2SessionStatus.InvalidAppCredentials)]
    [InlineData(40001, JsCode2SessionStatus.UpstreamError)]
    [InlineData(61024, JsCode2SessionStatus.UpstreamError)]
    public async Task Exchange_maps_each_errcode_to_its_status(int errcode, JsCode2SessionStatus expected)
    {
        var appId = server.NewApp(FakeWeChatServer.Answer(
            $$"""{"errcode":{{errcode}},"errmsg":"error, rid: 6612f0a1-1b2c3d4e"}""", "text/plain"));

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(new JsCode2SessionResult(expected, null, errcode), result);
        Assert.Single(server.ReceivedBy(appId));
    }

    [Fact]
    public async Task Exchange_with_an_errcode_and_a_session_is_not_a_success()
    {
        var appId = server.NewApp(FakeWeChatServer.Answer(
            $$"""{"errcode":40029,"openid":"{{OpenId}}","session_key":"{{SessionKey}}"}"""));

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(JsCode2SessionStatus.InvalidCode, result.Status);
        Assert.Null(result.Session);
    }

    [Fact]
    public async Task Exchange_with_wrong_app_credentials_logs_an_error_with_its_event_id()
    {
        var appId = server.NewApp(FakeWeChatServer.Answer("""{"errcode":40125,"errmsg":"invalid appsecret"}"""));

        await Client().ExchangeAsync(appId, Secret, Code, Ct);

        var entry = Assert.Single(_logs.Entries(), e => e.EventId.Id == JsCode2SessionLogEvents.InvalidAppCredentials);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains(appId, entry.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, JsCode2SessionStatus.Unavailable)]
    [InlineData(502, JsCode2SessionStatus.Unavailable)]
    [InlineData(503, JsCode2SessionStatus.Unavailable)]
    [InlineData(400, JsCode2SessionStatus.UpstreamError)]
    [InlineData(403, JsCode2SessionStatus.UpstreamError)]
    [InlineData(404, JsCode2SessionStatus.UpstreamError)]
    [InlineData(302, JsCode2SessionStatus.UpstreamError)]
    public async Task Exchange_maps_a_non_2xx_status(int status, JsCode2SessionStatus expected)
    {
        var appId = server.NewApp(async context =>
        {
            context.Response.Headers.Location = "/sns/jscode2session?appid=elsewhere";
            await FakeWeChatServer.Answer(SuccessBody, status: status)(context);
        });

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(new JsCode2SessionResult(expected), result);
        Assert.Single(server.ReceivedBy(appId));
        Assert.Empty(server.ReceivedBy("elsewhere"));
    }

    [Theory]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"openid\"")]
    [InlineData("{\"openid\":\"o\",\"session_key\":\"k\"")]
    [InlineData("{\"openid\":\"o\"}")]
    [InlineData("{\"session_key\":\"k\"}")]
    [InlineData("{\"openid\":\"\",\"session_key\":\"k\"}")]
    [InlineData("{\"openid\":\"o\",\"session_key\":\"\"}")]
    [InlineData("{\"openid\":\"o\",\"session_key\":null}")]
    [InlineData("{\"openid\":1,\"session_key\":\"k\"}")]
    [InlineData("{\"errcode\":\"40029\"}")]
    [InlineData("{\"errcode\":1.5}")]
    [InlineData("{\"openid\":\"o\",\"session_key\":\"k\",\"session_key\":\"k2\"}")]
    public async Task Exchange_of_a_garbage_or_incomplete_answer_is_an_upstream_error(string body)
    {
        var appId = server.NewApp(FakeWeChatServer.Answer(body));

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(new JsCode2SessionResult(JsCode2SessionStatus.UpstreamError), result);
    }

    [Fact]
    public async Task Exchange_of_an_answer_with_invalid_utf8_is_an_upstream_error()
    {
        byte[] body = [.. "{\"openid\":\"o"u8, 0xFF, .. "\",\"session_key\":\"k\"}"u8];
        var appId = server.NewApp(FakeWeChatServer.AnswerBytes(body));

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(new JsCode2SessionResult(JsCode2SessionStatus.UpstreamError), result);
    }

    [Fact]
    public async Task Exchange_of_an_answer_with_a_byte_order_mark_succeeds()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(SuccessBody)];
        var appId = server.NewApp(FakeWeChatServer.AnswerBytes(body));

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(JsCode2SessionStatus.Success, result.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Exchange_of_an_answer_over_16_KiB_is_an_upstream_error(bool withContentLength)
    {
        var body = $$"""{"openid":"{{OpenId}}","session_key":"{{SessionKey}}","padding":"{{new string('x', 16 * 1024)}}"}""";
        var appId = server.NewApp(async context =>
        {
            if (withContentLength)
            {
                context.Response.ContentLength = body.Length;
            }

            await context.Response.WriteAsync(body, context.RequestAborted);
        });

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(JsCode2SessionStatus.UpstreamError, result.Status);
    }

    [Fact]
    public async Task Exchange_of_an_answer_of_exactly_16_KiB_succeeds()
    {
        var padding = new string('x', JsCode2SessionClient.MaxResponseBytes - SuccessBody.Length - 13);
        var body = SuccessBody[..^1] + $$""","padding":"{{padding}}"}""";
        Assert.Equal(JsCode2SessionClient.MaxResponseBytes, body.Length);
        var appId = server.NewApp(FakeWeChatServer.Answer(body));

        var result = await Client().ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(JsCode2SessionStatus.Success, result.Status);
    }

    [Fact]
    public async Task Exchange_against_a_hanging_server_times_out_after_one_request()
    {
        var appId = server.NewApp(FakeWeChatServer.Hang());
        var stopwatch = Stopwatch.StartNew();

        var result = await Client(timeout: TimeSpan.FromMilliseconds(300)).ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(new JsCode2SessionResult(JsCode2SessionStatus.Timeout), result);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        await Task.Delay(300, Ct); // room for a resend, if there were one
        Assert.Single(server.ReceivedBy(appId));
    }

    [Fact]
    public async Task Exchange_against_a_server_that_stalls_mid_body_times_out()
    {
        var appId = server.NewApp(FakeWeChatServer.HangMidBody());

        var result = await Client(timeout: TimeSpan.FromMilliseconds(300)).ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(JsCode2SessionStatus.Timeout, result.Status);
        Assert.Single(server.ReceivedBy(appId));
    }

    [Fact]
    public async Task Exchange_against_a_server_that_closes_the_connection_is_unavailable_after_one_request()
    {
        var client = Client();
        // Warm the pool first: the closing request then goes out on a reused keep-alive connection, the case in which
        // an HTTP/1.1 client may transparently resend a request.
        var warmUp = server.NewApp(FakeWeChatServer.Answer(SuccessBody));
        Assert.True((await client.ExchangeAsync(warmUp, Secret, Code, Ct)).IsSuccess);
        var appId = server.NewApp(FakeWeChatServer.CloseConnection());

        var result = await client.ExchangeAsync(appId, Secret, Code, Ct);

        Assert.Equal(new JsCode2SessionResult(JsCode2SessionStatus.Unavailable), result);
        await Task.Delay(300, Ct);
        var request = Assert.Single(server.ReceivedBy(appId));
        Assert.Equal(Assert.Single(server.ReceivedBy(warmUp)).ConnectionId, request.ConnectionId);
    }

    [Fact]
    public async Task Exchange_against_a_closed_port_is_unavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await Client(baseUrl: new Uri($"http://127.0.0.1:{port}")).ExchangeAsync("wx1", Secret, Code, Ct);

        Assert.Equal(new JsCode2SessionResult(JsCode2SessionStatus.Unavailable), result);
    }

    [Fact]
    public async Task Exchange_cancelled_by_the_caller_throws_OperationCanceledException_not_Timeout()
    {
        var appId = server.NewApp(FakeWeChatServer.Hang());
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var exchange = Client(timeout: TimeSpan.FromSeconds(30)).ExchangeAsync(appId, Secret, Code, caller.Token);
        // Cancel once the request has arrived (a fixed delay raced the connection on a loaded machine).
        var deadline = Stopwatch.StartNew();
        while (server.ReceivedBy(appId).Count == 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10, Ct);
        }

        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => exchange);
        Assert.Single(server.ReceivedBy(appId));
    }

    [Fact]
    public async Task Exchange_with_an_already_cancelled_token_sends_nothing()
    {
        var appId = server.NewApp(FakeWeChatServer.Answer(SuccessBody));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Client().ExchangeAsync(appId, Secret, Code, new CancellationToken(canceled: true)));
        Assert.Empty(server.ReceivedBy(appId));
    }

    [Fact]
    public async Task Logs_of_every_outcome_never_contain_the_secret_the_session_key_or_the_code()
    {
        RequestDelegate[] behaviours =
        [
            FakeWeChatServer.Answer(SuccessBody),
            FakeWeChatServer.Answer("""{"errcode":40013,"errmsg":"invalid appid"}"""),
            FakeWeChatServer.Answer("""{"errcode":40029,"errmsg":"invalid code"}"""),
            FakeWeChatServer.Answer("""{"errcode":45011,"errmsg":"api minute-quota reach limit"}"""),
            FakeWeChatServer.Answer("""{"errcode":-1,"errmsg":"system error"}"""),
            FakeWeChatServer.Answer("""{"errcode":99999}"""),
            FakeWeChatServer.Answer($$"""{"openid":"{{OpenId}}","session_key":"{{SessionKey}}" trailing"""),
            FakeWeChatServer.Answer($$"""{"session_key":"{{SessionKey}}"}"""),
            FakeWeChatServer.Answer(SuccessBody, status: 500),
            FakeWeChatServer.Answer(SuccessBody, status: 400),
            FakeWeChatServer.Hang(),
            FakeWeChatServer.CloseConnection(),
        ];
        var client = Client(timeout: TimeSpan.FromMilliseconds(300));

        foreach (var behaviour in behaviours)
        {
            await client.ExchangeAsync(server.NewApp(behaviour), Secret, Code, Ct);
        }

        Assert.NotEmpty(_logs.Entries());
        foreach (var entry in _logs.Entries())
        {
            Assert.DoesNotContain(Secret, entry.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(SessionKey, entry.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(Code, entry.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("jscode2session?", entry.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WeChatSession_ToString_never_prints_the_session_key()
    {
        var session = new WeChatSession(OpenId, SessionKey, UnionId);

        Assert.DoesNotContain(SessionKey, session.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(SessionKey, new JsCode2SessionResult(JsCode2SessionStatus.Success, session).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddJsCode2SessionClient_registers_the_typed_client_with_an_infinite_HttpClient_timeout()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddJsCode2SessionClient();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<JsCode2SessionClient>(provider.GetRequiredService<IJsCode2SessionClient>());
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        Assert.Equal(Timeout.InfiniteTimeSpan, factory.CreateClient(typeof(IJsCode2SessionClient).Name).Timeout);
    }

    /// <summary>A client resolved the way the app resolves it, logging (at every level) into <see cref="_logs"/>.</summary>
    private IJsCode2SessionClient Client(TimeSpan? timeout = null, Uri? baseUrl = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddCollector(_logs));
        services.Configure<WeChatApiOptions>(options =>
        {
            options.ApiBaseUrl = baseUrl ?? server.BaseUrl;
            options.Timeout = timeout ?? TimeSpan.FromSeconds(10);
        });
        services.AddJsCode2SessionClient();
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<IJsCode2SessionClient>();
    }
}
