using System.Net.Http.Headers;
using System.Text;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.MiniProgramProfile;

/// <summary><c>POST /api/profile</c> (docs/API.md, "POST /api/profile" and "WeChat access tokens").</summary>
public sealed class UpdateProfileTests(AppFixture fixture) : AppTest(fixture)
{
    private Task<ProfileApp> StartAsync() => ProfileApp.StartAsync(overrides => StartAppAsync(overrides), Fixture);

    [Fact]
    public async Task Nickname_that_passes_the_check_is_stored_and_the_check_has_the_contract_shape()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("ann");

        var profile = await ProfileApp.OkAsync(await app.UpdateProfileAsync("{\"nick_name\":\"安妮 Ann\",\"gender\":2}", token));

        Assert.Equal("安妮 Ann", profile.GetProperty("nick_name").GetString());
        Assert.Equal(2, profile.GetProperty("gender").GetInt32());
        Assert.Equal(string.Empty, profile.GetProperty("jwt").GetString());
        var row = await app.RowAsync("ann");
        Assert.Equal("安妮 Ann", row!.NickName);
        Assert.Equal(2, row.Gender);
        var check = Assert.Single(app.WeChat.TextChecks);
        Assert.Equal(2, check.GetProperty("version").GetInt32());
        Assert.Equal(1, check.GetProperty("scene").GetInt32());
        Assert.Equal(WeChatStandIn.OpenIdOf("ann"), check.GetProperty("openid").GetString());
        Assert.Equal("安妮 Ann", check.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Nickname_judged_review_is_stored()
    {
        await using var app = await StartAsync();
        app.WeChat.ReviewWords["maybe"] = true;
        var token = await app.LoginAsync("ben");

        var profile = await ProfileApp.OkAsync(await app.UpdateProfileAsync("{\"nick_name\":\"maybe ben\"}", token));

        Assert.Equal("maybe ben", profile.GetProperty("nick_name").GetString());
        Assert.Equal("maybe ben", (await app.RowAsync("ben"))!.NickName);
    }

    [Fact]
    public async Task Nickname_judged_risky_is_422_content_rejected_and_nothing_is_stored()
    {
        await using var app = await StartAsync();
        app.WeChat.RiskyWords["badword"] = true;
        var token = await app.LoginAsync("cat");
        var before = await app.App.DumpAsync();

        await ProblemAssert.IsProblemAsync(await app.UpdateProfileAsync("{\"nick_name\":\"a badword\",\"gender\":1}", token), 422, "content_rejected");

        Assert.Equal(before, await app.App.DumpAsync());
    }

    [Theory]
    [InlineData(61010, 409, "session_expired")]
    [InlineData(-1, 503, "upstream_unavailable")]
    [InlineData(40003, 502, "upstream_error")]
    public async Task WeChat_check_errors_map_to_the_contract_and_store_nothing(int errcode, int status, string code)
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("dan");
        app.WeChat.TextErrorCode = errcode;
        var before = await app.App.DumpAsync();

        await ProblemAssert.IsProblemAsync(await app.UpdateProfileAsync("{\"nick_name\":\"Dan\",\"gender\":1}", token), status, code);

        Assert.Equal(before, await app.App.DumpAsync());
    }

    [Fact]
    public async Task WeChat_check_that_never_answers_is_503_and_stores_nothing()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("eve");
        app.WeChat.Hang = true;
        var before = await app.App.DumpAsync();

        var response = await app.UpdateProfileAsync("{\"nick_name\":\"Eve\"}", token);

        await ProblemAssert.IsProblemAsync(response, 503, "upstream_unavailable");
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal(before, await app.App.DumpAsync());
    }

    [Fact]
    public async Task Gender_0_is_stored_as_the_users_own_choice()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("fay");
        await ProfileApp.OkAsync(await app.UpdateProfileAsync("{\"gender\":1}", token));

        var profile = await ProfileApp.OkAsync(await app.UpdateProfileAsync("{\"gender\":0}", token));

        Assert.Equal(0, profile.GetProperty("gender").GetInt32());
        Assert.Equal(0, (await app.RowAsync("fay"))!.Gender);
    }

    [Fact]
    public async Task Gender_alone_does_not_call_WeChat()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("gus");

        await ProfileApp.OkAsync(await app.UpdateProfileAsync("{\"gender\":2,\"nick_name\":null}", token));

        Assert.Empty(app.WeChat.TextChecks);
        Assert.Equal(0, app.WeChat.StableTokenCalls);
    }

    [Fact]
    public async Task Nickname_of_32_characters_counts_an_emoji_as_one()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("hal");
        var nickName = string.Concat(Enumerable.Repeat("😀", 32));

        var profile = await ProfileApp.OkAsync(await app.UpdateProfileAsync($"{{\"nick_name\":\"{nickName}\"}}", token));

        Assert.Equal(nickName, profile.GetProperty("nick_name").GetString());
    }

    [Theory]
    [InlineData("{\"nick_name\":\"\"}")]
    [InlineData("{\"nick_name\":\"123456789012345678901234567890123\"}")]
    [InlineData("{\"nick_name\":5}")]
    [InlineData("{\"nick_name\":[\"a\"]}")]
    [InlineData("{\"nick_name\":\"微信用户\"}")]
    [InlineData("{\"gender\":3}")]
    [InlineData("{\"gender\":-1}")]
    [InlineData("{\"gender\":\"1\"}")]
    [InlineData("{\"gender\":1.5}")]
    [InlineData("{\"gender\":1,\"gender\":2}")]
    [InlineData("[]")]
    [InlineData("not json")]
    public async Task Bad_body_is_400_invalid_request_without_calling_WeChat_or_storing(string body)
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("ivy");
        var before = await app.App.DumpAsync();

        await ProblemAssert.IsProblemAsync(await app.UpdateProfileAsync(body, token), 400, "invalid_request");

        Assert.Equal(before, await app.App.DumpAsync());
        Assert.Empty(app.WeChat.TextChecks);
    }

    [Fact]
    public async Task Checks_run_in_order_size_media_type_token_body()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("jay");
        var tooLarge = "{\"nick_name\":\"" + new string('a', 70_000) + "\"}";

        await ProblemAssert.IsProblemAsync(await app.UpdateProfileAsync(tooLarge, null), 413, "payload_too_large");
        using var text = new HttpRequestMessage(HttpMethod.Post, "/api/profile") { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
        await ProblemAssert.IsProblemAsync(await app.App.SendAsync(text), 415, "unsupported_media_type");
        await ProblemAssert.IsProblemAsync(await app.UpdateProfileAsync("{\"gender\":9}", null), 401, "invalid_token");
        await ProblemAssert.IsProblemAsync(await app.UpdateProfileAsync("{\"gender\":9}", token), 400, "invalid_request");
        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/profile");
        get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await ProblemAssert.IsProblemAsync(await app.App.SendAsync(get), 405, "method_not_allowed");
    }

    [Fact]
    public async Task Access_token_expiring_between_two_calls_is_renewed_once_without_the_user_noticing()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("kim");
        await ProfileApp.OkAsync(await app.UpdateProfileAsync("{\"nick_name\":\"Kim 1\"}", token));
        Assert.Equal(1, app.WeChat.StableTokenCalls);

        app.WeChat.RejectTokenOnce();
        var profile = await ProfileApp.OkAsync(await app.UpdateProfileAsync("{\"nick_name\":\"Kim 2\"}", token));

        Assert.Equal("Kim 2", profile.GetProperty("nick_name").GetString());
        Assert.Equal(2, app.WeChat.StableTokenCalls);
        Assert.Equal(3, app.WeChat.TextChecks.Count);
    }

    [Fact]
    public async Task Many_profile_updates_share_one_stable_token_call()
    {
        await using var app = await StartAsync();
        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => app.LoginAsync($"many{i}")));

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            app.UpdateProfileAsync($"{{\"nick_name\":\"player {i}\"}}", tokens[i % tokens.Length])));

        Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
        Assert.Equal(1, app.WeChat.StableTokenCalls);
        Assert.Equal(40, app.WeChat.TextChecks.Count);
    }
}
