using Tianmu.Functions.Profiles;
using Tianmu.Testing;
using static Tianmu.Functions.Tests.Push.PushRequests;

namespace Tianmu.Functions.Tests.Push;

/// <summary>docs/API.md, "GET and POST /api/wechat/push/{app_id}", over HTTP on Azurite.</summary>
public sealed class PushTests(AppFixture fixture) : AppTest(fixture)
{
    private Task<AppUnderTest> StartAsync() => StartAppAsync(Settings());

    // A user with every user-info field set, in the mode's app.
    private static async Task<string> UserWithInfoAsync(AppUnderTest app, string user, string appId)
    {
        var token = (await app.LoginOkAsync(user, appId: appId)).GetProperty("jwt").GetString();
        var updated = await app.UpdateUserInfoAsync(app.Seal(user, "Nick", appId: appId, gender: 2), token);
        Assert.Equal(200, (int)updated.StatusCode);
        return WeChatStandIn.OpenIdOf(user);
    }

    private static async Task AssertSuccessAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(200 == (int)response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("success", body);
    }

    [Fact]
    public async Task Url_check_answers_echostr_exactly_as_text_plain()
    {
        await using var app = await StartAsync();

        var response = await app.SendAsync(UrlCheck(SafeApp, "1234567890 echo"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1234567890 echo", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Url_check_with_a_wrong_token_or_a_stale_timestamp_is_401_invalid_signature()
    {
        await using var app = await StartAsync();

        await ProblemAssert.IsProblemAsync(await app.SendAsync(UrlCheck(PlainApp, "e", token: "wrongToken")), 401, "invalid_signature");
        await ProblemAssert.IsProblemAsync(await app.SendAsync(UrlCheck(PlainApp, "e", timestamp: Now() - 301)), 401, "invalid_signature");
        await ProblemAssert.IsProblemAsync(await app.SendAsync(UrlCheck(PlainApp, "e", timestamp: Now() + 301)), 401, "invalid_signature");
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("safe")]
    public async Task Revoke_6_clears_nickname_avatar_gender_region_and_language(string mode)
    {
        await using var app = await StartAsync();
        var openId = await UserWithInfoAsync(app, "rita", AppOf(mode));

        await AssertSuccessAsync(await app.SendAsync(InMode(mode, Event(openId, "user_authorization_revoke", "6"))));

        var row = await app.RowAsync("rita", AppOf(mode));
        Assert.Equal((string.Empty, string.Empty, 0, string.Empty, string.Empty, string.Empty, string.Empty), (row!.NickName, row.AvatarUrl, row.Gender, row.City, row.Province, row.Country, row.Language));
        Assert.Equal(1, row.LoginTimes);
    }

    [Theory]
    [InlineData("plain", "19", true, false)]
    [InlineData("safe", "19", true, false)]
    [InlineData("plain", "20", false, true)]
    [InlineData("safe", "20", false, true)]
    [InlineData("plain", "19,20", true, true)]
    [InlineData("safe", " 20 ,19", true, true)]
    [InlineData("plain", "1,7", false, false)]
    [InlineData("safe", "99", false, false)]
    public async Task Revoke_19_clears_the_nickname_20_the_avatar_and_other_numbers_nothing(string mode, string revokeInfo, bool nicknameCleared, bool avatarCleared)
    {
        await using var app = await StartAsync();
        var openId = await UserWithInfoAsync(app, "sam", AppOf(mode));

        await AssertSuccessAsync(await app.SendAsync(InMode(mode, Event(openId, "user_authorization_revoke", revokeInfo))));

        var row = await app.RowAsync("sam", AppOf(mode));
        Assert.Equal(nicknameCleared ? string.Empty : "Nick", row!.NickName);
        Assert.Equal(avatarCleared ? string.Empty : "https://thirdwx.qlogo.cn/mmopen/vi_32/real/132", row.AvatarUrl);
        Assert.Equal("Guangzhou", row.City);
        Assert.Equal(2, row.Gender);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("safe")]
    public async Task User_info_modified_clears_nickname_and_avatar_only(string mode)
    {
        await using var app = await StartAsync();
        var openId = await UserWithInfoAsync(app, "uma", AppOf(mode));

        await AssertSuccessAsync(await app.SendAsync(InMode(mode, Event(openId, "user_info_modified"))));

        var row = await app.RowAsync("uma", AppOf(mode));
        Assert.Equal((string.Empty, string.Empty, "Guangzhou", 2), (row!.NickName, row.AvatarUrl, row.City, row.Gender));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("safe")]
    public async Task User_authorization_cancellation_deletes_the_account_and_its_tokens(string mode)
    {
        await using var app = await StartAsync();
        var token = (await app.LoginOkAsync("vic", appId: AppOf(mode))).GetProperty("jwt").GetString();

        await AssertSuccessAsync(await app.SendAsync(InMode(mode, Event(WeChatStandIn.OpenIdOf("vic"), "user_authorization_cancellation"))));

        Assert.Null(await app.RowAsync("vic", AppOf(mode)));
        Assert.NotNull((await app.Table.GetEntityIfExistsAsync<TombstoneEntity>(AppOf(mode), AccountTombstones.RowKeyOf(WeChatStandIn.OpenIdOf("vic")))).Value);
        using var export = new HttpRequestMessage(HttpMethod.Get, "/api/account/export");
        export.Headers.Authorization = new("Bearer", token);
        await ProblemAssert.IsProblemAsync(await app.SendAsync(export), 401, "invalid_token");
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("safe")]
    public async Task Repeated_pushes_answer_success_and_change_nothing_more(string mode)
    {
        await using var app = await StartAsync();
        var openId = await UserWithInfoAsync(app, "wes", AppOf(mode));
        var message = Event(openId, "user_info_modified");
        await AssertSuccessAsync(await app.SendAsync(InMode(mode, message)));
        var before = await app.DumpAsync();

        await AssertSuccessAsync(await app.SendAsync(InMode(mode, message)));
        Assert.Equal(before, await app.DumpAsync());
        await AssertSuccessAsync(await app.SendAsync(InMode(mode, Event(openId, "user_authorization_cancellation"))));
        var deleted = await app.DumpAsync();
        await AssertSuccessAsync(await app.SendAsync(InMode(mode, Event(openId, "user_authorization_cancellation"))));
        await AssertSuccessAsync(await app.SendAsync(InMode(mode, Event(openId, "user_authorization_revoke", "6"))));

        Assert.Equal(deleted, await app.DumpAsync());
        Assert.Null(await app.RowAsync("wes", AppOf(mode)));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("safe")]
    public async Task Unknown_users_unknown_events_and_messages_that_do_not_parse_answer_success_and_change_nothing(string mode)
    {
        await using var app = await StartAsync();
        await UserWithInfoAsync(app, "xia", AppOf(mode));
        var before = await app.DumpAsync();

        await AssertSuccessAsync(await app.SendAsync(InMode(mode, Event("oNobodyHere0000000000000000", "user_authorization_cancellation"))));
        await AssertSuccessAsync(await app.SendAsync(InMode(mode, Event(WeChatStandIn.OpenIdOf("xia"), "some_future_event"))));
        await AssertSuccessAsync(await app.SendAsync(InMode(mode, "{not json")));
        await AssertSuccessAsync(await app.SendAsync(InMode(mode, "[1,2,3]")));
        await AssertSuccessAsync(await app.SendAsync(InMode(mode, "{\"MsgType\":\"text\",\"Content\":\"hi\"}")));
        await AssertSuccessAsync(await app.SendAsync(InMode(mode, Event("../bad/id", "user_info_modified"))));

        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task A_text_plain_body_is_taken_in_both_modes_and_another_media_type_is_415()
    {
        await using var app = await StartAsync();
        var openId = await UserWithInfoAsync(app, "yan", PlainApp);

        await AssertSuccessAsync(await app.SendAsync(Plain(PlainApp, Event(openId, "user_info_modified"), contentType: "text/plain")));
        await AssertSuccessAsync(await app.SendAsync(Safe(SafeApp, Event(openId, "user_info_modified"), contentType: "text/plain")));
        await ProblemAssert.IsProblemAsync(await app.SendAsync(Plain(PlainApp, Event(openId, "user_info_modified"), contentType: "application/xml")), 415, "unsupported_media_type");
        Assert.Equal(string.Empty, (await app.RowAsync("yan"))!.NickName);
    }

    [Fact]
    public async Task A_push_that_does_not_verify_is_401_and_changes_nothing()
    {
        await using var app = await StartAsync();
        var plainUser = await UserWithInfoAsync(app, "zed", PlainApp);
        var safeUser = await UserWithInfoAsync(app, "zed", SafeApp);
        var before = await app.DumpAsync();
        var stale = Now() - 301;
        HttpRequestMessage[] refused =
        [
            Plain(PlainApp, Event(plainUser, "user_authorization_cancellation"), token: "wrongToken"),
            Plain(PlainApp, Event(plainUser, "user_authorization_cancellation"), timestamp: stale),
            // Plain mode signs no body: an app with an AES key takes safe mode only.
            Plain(SafeApp, Event(safeUser, "user_authorization_cancellation")),
            Safe(SafeApp, Event(safeUser, "user_authorization_cancellation"), token: "wrongToken"),
            Safe(SafeApp, Event(safeUser, "user_authorization_cancellation"), timestamp: stale),
            Safe(SafeApp, Event(safeUser, "user_authorization_cancellation"), aesKey: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"),
            Safe(SafeApp, Event(safeUser, "user_authorization_cancellation"), envelopeAppId: PlainApp),
            SafeEnvelope(SafeApp, "not base64 at all!"),
            SafeEnvelope(SafeApp, Convert.ToBase64String(new byte[48])),
            // Safe mode for an app without an AES key.
            Safe(PlainApp, Event(plainUser, "user_authorization_cancellation")),
            // An app without a push token has no push route.
            Plain("wxnopushconfigured", Event(plainUser, "user_authorization_cancellation")),
        ];
        foreach (var request in refused)
        {
            await ProblemAssert.IsProblemAsync(await app.SendAsync(request), 401, "invalid_signature");
        }

        using var garbled = Safe(SafeApp, Event(safeUser, "user_authorization_cancellation"));
        garbled.Content = new StringContent("{\"Encrypt\":", System.Text.Encoding.UTF8, "application/json");
        await ProblemAssert.IsProblemAsync(await app.SendAsync(garbled), 401, "invalid_signature");
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task An_app_without_a_push_token_refuses_even_a_correctly_signed_push()
    {
        await using var app = await StartAppAsync();
        var openId = await UserWithInfoAsync(app, "abe", PlainApp);

        await ProblemAssert.IsProblemAsync(await app.SendAsync(Plain(PlainApp, Event(openId, "user_info_modified"))), 401, "invalid_signature");
        await ProblemAssert.IsProblemAsync(await app.SendAsync(UrlCheck(PlainApp, "e")), 401, "invalid_signature");
        Assert.Equal("Nick", (await app.RowAsync("abe"))!.NickName);
    }

    [Fact]
    public async Task No_log_line_carries_a_push_query_string()
    {
        await using var app = await StartAsync();
        var openId = await UserWithInfoAsync(app, "bo", SafeApp);
        var requests = new[]
        {
            UrlCheck(SafeApp, "echo-canary"),
            Safe(SafeApp, Event(openId, "user_info_modified")),
            Plain(SafeApp, Event(openId, "user_info_modified")),
            Plain(PlainApp, "{}", token: "wrongToken"),
        };
        var secrets = new List<string>();
        foreach (var request in requests)
        {
            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.OriginalString.Split('?')[1]);
            secrets.AddRange(new[] { query["signature"], query["nonce"], query["msg_signature"], query["echostr"] }.OfType<string>());
            await app.SendAsync(request);
        }

        var lines = app.Host.Logs.Lines();
        Assert.NotEmpty(lines);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(lines, line => line.Contains("signature=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PushToken", "ab", "Tianmu__Apps__wxtest0000000001__PushToken")]
    [InlineData("PushToken", "has space", "Tianmu__Apps__wxtest0000000001__PushToken")]
    [InlineData("PushAesKey", "tooShort", "Tianmu__Apps__wxtest0000000001__PushAesKey")]
    public async Task A_malformed_push_setting_stops_the_app_at_start_naming_the_variable(string key, string value, string variable)
    {
        var settings = Settings();
        settings[$"Tianmu:Apps:{TestHost.AppId}:{key}"] = value;

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAppAsync(settings));

        Assert.Contains(variable, failure.Message, StringComparison.Ordinal);
    }
}
