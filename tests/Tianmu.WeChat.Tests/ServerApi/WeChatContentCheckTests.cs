using System.Net;
using System.Net.Sockets;
using Tianmu.WeChat.ContentSecurity;
using Tianmu.WeChat.Tests.Sessions;

namespace Tianmu.WeChat.Tests.ServerApi;

/// <summary>msg_sec_check and media_check_async, registered as the app registers them, against a real HTTP server.</summary>
public sealed class WeChatContentCheckTests(FakeWeChatApi api) : IClassFixture<FakeWeChatApi>
{
    private const string Secret = "c0ffee0123456789abcdef0123456789";
    private const string OpenId = "oGZUI0egBJY1zhBYw2KhdUfwVJJE";
    private static readonly Uri ImageUrl = new("https://cdn.example.com/avatars/5f0c1d2e.png");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Text_check_posts_version_2_scene_1_with_the_token_in_the_query()
    {
        var wechat = new StableWeChat();
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        var result = await services.TextCheck.CheckAsync("wx1", Secret, OpenId, "小明同学", Ct);

        Assert.Equal(new WeChatTextCheckResult(WeChatTextCheckStatus.Pass, "t-1", 100), result);
        var request = Assert.Single(api.ReceivedBy(scope, "/wxa/msg_sec_check"));
        Assert.Equal(wechat.Current, request.AccessToken);
        Assert.Equal(2, request.Body.GetProperty("version").GetInt32());
        Assert.Equal(OpenId, request.Body.GetProperty("openid").GetString());
        Assert.Equal(1, request.Body.GetProperty("scene").GetInt32());
        Assert.Equal("小明同学", request.Body.GetProperty("content").GetString());
    }

    [Theory]
    [InlineData(200, """{"errcode":0,"errmsg":"ok","result":{"suggest":"pass","label":100},"detail":[{"strategy":"content_model","errcode":0,"suggest":"pass","label":100,"prob":90}],"trace_id":"t"}""", WeChatTextCheckStatus.Pass, null)]
    [InlineData(200, """{"errcode":0,"errmsg":"ok","result":{"suggest":"review","label":20006},"trace_id":"t"}""", WeChatTextCheckStatus.Review, null)]
    [InlineData(200, """{"errcode":0,"errmsg":"ok","result":{"suggest":"risky","label":20001},"trace_id":"t"}""", WeChatTextCheckStatus.Risky, null)]
    [InlineData(200, """{"result":{"suggest":"risky"}}""", WeChatTextCheckStatus.Risky, null)]
    [InlineData(200, """{"errcode":0,"errmsg":"ok","result":{"suggest":"unknown"},"trace_id":"t"}""", WeChatTextCheckStatus.UpstreamError, null)]
    [InlineData(200, """{"errcode":0,"errmsg":"ok","trace_id":"t"}""", WeChatTextCheckStatus.UpstreamError, null)]
    [InlineData(200, """{"errcode":61010,"errmsg":"user in access log timeout"}""", WeChatTextCheckStatus.UserNotRecentlyActive, 61010)]
    [InlineData(200, """{"errcode":-1,"errmsg":"system error"}""", WeChatTextCheckStatus.Busy, -1)]
    [InlineData(200, """{"errcode":40003,"errmsg":"invalid openid"}""", WeChatTextCheckStatus.UpstreamError, 40003)]
    [InlineData(200, """{"errcode":43104,"errmsg":"appid does not match openid"}""", WeChatTextCheckStatus.UpstreamError, 43104)]
    [InlineData(200, """{"errcode":87014,"errmsg":"risky content"}""", WeChatTextCheckStatus.UpstreamError, 87014)]
    [InlineData(200, "<html>", WeChatTextCheckStatus.UpstreamError, null)]
    [InlineData(500, "", WeChatTextCheckStatus.Unavailable, null)]
    [InlineData(502, "", WeChatTextCheckStatus.Unavailable, null)]
    [InlineData(403, "", WeChatTextCheckStatus.UpstreamError, null)]
    public async Task Text_check_answers_map_to_one_status(int status, string body, WeChatTextCheckStatus expected, int? errorCode)
    {
        var wechat = new StableWeChat { CheckAnswer = _ => Task.FromResult<(int, string, string)?>((status, "text/plain", body)) };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        var result = await services.TextCheck.CheckAsync("wx1", Secret, OpenId, "hi", Ct);

        Assert.Equal(expected, result.Status);
        Assert.Equal(errorCode, result.ErrorCode);
    }

    [Theory]
    [InlineData(40013, WeChatTextCheckStatus.InvalidAppCredentials)]
    [InlineData(40125, WeChatTextCheckStatus.InvalidAppCredentials)]
    [InlineData(40164, WeChatTextCheckStatus.InvalidAppCredentials)]
    [InlineData(-1, WeChatTextCheckStatus.Busy)]
    [InlineData(45009, WeChatTextCheckStatus.UpstreamError)]
    public async Task A_token_failure_is_the_checks_status_and_nothing_is_checked(int tokenErrorCode, WeChatTextCheckStatus expected)
    {
        var wechat = new StableWeChat { TokenAnswer = _ => FakeWeChatApi.Json($$"""{"errcode":{{tokenErrorCode}},"errmsg":"x"}""") };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        var result = await services.TextCheck.CheckAsync("wx1", Secret, OpenId, "hi", Ct);
        var media = await services.MediaCheck.SubmitImageAsync("wx1", Secret, OpenId, ImageUrl, Ct);

        Assert.Equal(new WeChatTextCheckResult(expected, ErrorCode: tokenErrorCode), result);
        Assert.Equal(expected.ToString(), media.Status.ToString());
        Assert.Empty(api.ReceivedBy(scope, "/wxa/msg_sec_check"));
        Assert.Empty(api.ReceivedBy(scope, "/wxa/media_check_async"));
    }

    [Fact]
    public async Task A_check_that_does_not_answer_in_time_is_a_timeout()
    {
        var wechat = new StableWeChat { CheckAnswer = _ => FakeWeChatApi.Hang() };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope), timeout: TimeSpan.FromMilliseconds(300));

        Assert.Equal(WeChatTextCheckStatus.Timeout, (await services.TextCheck.CheckAsync("wx1", Secret, OpenId, "hi", Ct)).Status);
        Assert.Equal(WeChatMediaCheckStatus.Timeout, (await services.MediaCheck.SubmitImageAsync("wx1", Secret, OpenId, ImageUrl, Ct)).Status);
    }

    [Fact]
    public async Task Checks_against_an_unreachable_server_are_unavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var services = new ServerApiServices(new Uri($"http://127.0.0.1:{port}/"));

        Assert.Equal(WeChatTextCheckStatus.Unavailable, (await services.TextCheck.CheckAsync("wx1", Secret, OpenId, "hi", Ct)).Status);
        Assert.Equal(WeChatMediaCheckStatus.Unavailable, (await services.MediaCheck.SubmitImageAsync("wx1", Secret, OpenId, ImageUrl, Ct)).Status);
    }

    [Fact]
    public async Task Media_check_posts_the_image_url_as_media_type_2_version_2_scene_1()
    {
        var wechat = new StableWeChat
        {
            CheckAnswer = _ => FakeWeChatApi.Json("""{"errcode":0,"errmsg":"ok","trace_id":"60ae120f-371d5872-7941a05b"}"""),
        };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        var result = await services.MediaCheck.SubmitImageAsync("wx1", Secret, OpenId, ImageUrl, Ct);

        Assert.Equal(new WeChatMediaCheckResult(WeChatMediaCheckStatus.Submitted, "60ae120f-371d5872-7941a05b"), result);
        var request = Assert.Single(api.ReceivedBy(scope, "/wxa/media_check_async"));
        Assert.Equal(wechat.Current, request.AccessToken);
        Assert.Equal(ImageUrl.AbsoluteUri, request.Body.GetProperty("media_url").GetString());
        Assert.Equal(2, request.Body.GetProperty("media_type").GetInt32());
        Assert.Equal(2, request.Body.GetProperty("version").GetInt32());
        Assert.Equal(OpenId, request.Body.GetProperty("openid").GetString());
        Assert.Equal(1, request.Body.GetProperty("scene").GetInt32());
    }

    [Theory]
    [InlineData(200, """{"errcode":0,"errmsg":"ok"}""", WeChatMediaCheckStatus.UpstreamError, null)]
    [InlineData(200, """{"errcode":61010,"errmsg":"user in access log timeout"}""", WeChatMediaCheckStatus.UserNotRecentlyActive, 61010)]
    [InlineData(200, """{"errcode":-1,"errmsg":"system error"}""", WeChatMediaCheckStatus.Busy, -1)]
    [InlineData(200, """{"errcode":47001,"errmsg":"data format error"}""", WeChatMediaCheckStatus.UpstreamError, 47001)]
    [InlineData(200, "", WeChatMediaCheckStatus.UpstreamError, null)]
    [InlineData(500, "", WeChatMediaCheckStatus.Unavailable, null)]
    [InlineData(400, "", WeChatMediaCheckStatus.UpstreamError, null)]
    public async Task Media_check_answers_map_to_one_status(int status, string body, WeChatMediaCheckStatus expected, int? errorCode)
    {
        var wechat = new StableWeChat { CheckAnswer = _ => Task.FromResult<(int, string, string)?>((status, "text/plain", body)) };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));

        var result = await services.MediaCheck.SubmitImageAsync("wx1", Secret, OpenId, ImageUrl, Ct);

        Assert.Equal(new WeChatMediaCheckResult(expected, ErrorCode: errorCode), result);
    }

    [Fact]
    public async Task Media_check_retries_a_rejected_token_once()
    {
        var wechat = new StableWeChat
        {
            RejectionCode = 42001,
            CheckAnswer = _ => FakeWeChatApi.Json("""{"errcode":0,"errmsg":"ok","trace_id":"t-2"}"""),
        };
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope));
        await services.Tokens.GetAsync("wx1", Secret, Ct);
        wechat.RevokeCurrent();

        var result = await services.MediaCheck.SubmitImageAsync("wx1", Secret, OpenId, ImageUrl, Ct);

        Assert.Equal("t-2", result.TraceId);
        Assert.Equal(2, api.ReceivedBy(scope, "/wxa/media_check_async").Count);
    }

    [Fact]
    public async Task Neither_the_secret_nor_any_access_token_appears_in_a_log_line()
    {
        var wechat = new StableWeChat();
        var scope = api.NewScope(wechat.Behaviour);
        using var services = new ServerApiServices(api.BaseUrl(scope), timeout: TimeSpan.FromMilliseconds(300));
        var tokens = new HashSet<string>(StringComparer.Ordinal) { wechat.Current };

        // success, a rejected token and its renewal, an errcode, a malformed answer, a 5xx, a timeout
        await services.TextCheck.CheckAsync("wx1", Secret, OpenId, "hi", Ct);
        wechat.RevokeCurrent();
        await services.TextCheck.CheckAsync("wx1", Secret, OpenId, "hi", Ct);
        tokens.Add(wechat.Current);
        foreach (var answer in new[] { """{"errcode":40003}""", "garbage", "" })
        {
            wechat.CheckAnswer = _ => FakeWeChatApi.Json(answer);
            await services.MediaCheck.SubmitImageAsync("wx1", Secret, OpenId, ImageUrl, Ct);
        }

        wechat.CheckAnswer = _ => FakeWeChatApi.Status(503);
        await services.TextCheck.CheckAsync("wx1", Secret, OpenId, "hi", Ct);
        wechat.CheckAnswer = _ => FakeWeChatApi.Hang();
        await services.TextCheck.CheckAsync("wx1", Secret, OpenId, "hi", Ct);
        wechat.TokenAnswer = _ => FakeWeChatApi.Json("""{"errcode":40125,"errmsg":"invalid appsecret"}""");
        await services.TextCheck.CheckAsync("wx2", Secret, OpenId, "hi", Ct);

        var lines = services.Logs.Entries().Select(entry => entry.Text).ToList();
        Assert.Contains(services.Logs.Entries(), entry => entry.EventId.Id == AccessTokens.WeChatAccessTokenLogEvents.InvalidAppCredentials
            && entry.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains(services.Logs.Entries(), entry => entry.EventId.Id == AccessTokens.WeChatAccessTokenLogEvents.Rejected);
        Assert.True(lines.Count >= 6, string.Join('\n', lines));
        foreach (var line in lines)
        {
            Assert.DoesNotContain(Secret, line, StringComparison.Ordinal);
            Assert.DoesNotContain("access_token=", line, StringComparison.Ordinal);
            Assert.DoesNotContain(OpenId, line, StringComparison.Ordinal);
            Assert.DoesNotContain(ImageUrl.Host, line, StringComparison.Ordinal);
            foreach (var token in tokens)
            {
                Assert.DoesNotContain(token, line, StringComparison.Ordinal);
            }
        }
    }
}
