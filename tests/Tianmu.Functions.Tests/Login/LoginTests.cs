using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Login;

public sealed class LoginTests(AppFixture fixture)
{
    [Fact]
    public async Task Login_of_new_user_creates_the_profile_and_answers_it_with_a_token()
    {
        await using var app = await fixture.StartAppAsync();

        var profile = await app.LoginOkAsync("alice", "\"scene\":1044,\"from_code\":\"ball-resurrection-1\",\"ofp\":\"f1\"");

        var openId = WeChatStandIn.OpenIdOf("alice");
        Assert.True(profile.GetProperty("is_new").GetBoolean());
        Assert.Equal(1, profile.GetProperty("login_times").GetInt64());
        Assert.Equal(1, profile.GetProperty("online_days").GetInt64());
        Assert.Equal(openId, profile.GetProperty("open_id").GetString());
        Assert.Equal(TestHost.AppId, profile.GetProperty("app_id").GetString());
        Assert.Equal("1044", profile.GetProperty("from_scene").GetString());
        Assert.Equal("ball-resurrection-1", profile.GetProperty("from_code").GetString());
        Assert.Equal("f1", profile.GetProperty("ofp").GetString());
        Assert.Equal(Pid.Compute(TestHost.AppId, openId, string.Empty), profile.GetProperty("pid").GetString());
        Assert.InRange(profile.GetProperty("last_login_time").GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        var subject = await app.Host.Services.GetRequiredService<TokenService>().ValidateAsync(profile.GetProperty("jwt").GetString());
        Assert.Equal((TestHost.AppId, openId), (subject?.AppId, subject?.OpenId));

        var row = await app.RowAsync("alice");
        Assert.NotNull(row);
        Assert.Equal(app.WeChat.SessionKeyOf("alice"), row.SessionKey);
        Assert.NotNull(row.SessionKeyIssuedAt);
    }

    [Fact]
    public async Task Login_answers_every_member_of_the_profile_and_never_null()
    {
        await using var app = await fixture.StartAppAsync();

        var profile = await app.LoginOkAsync("all-members");

        string[] members =
        [
            "pid", "app_id", "open_id", "union_id", "nick_name", "avatar_url", "gender", "city", "province", "country", "language",
            "gold", "diamond", "share_new", "share_times", "online_days", "online_duration", "last_login_time", "login_times",
            "from_scene", "from_code", "is_new", "ofp", "jwt", "login_province", "login_city", "login_district",
        ];
        Assert.Equal(members.Order(StringComparer.Ordinal), profile.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(profile.EnumerateObject(), p => Assert.NotEqual(JsonValueKind.Null, p.Value.ValueKind));
        Assert.Equal(JsonValueKind.String, profile.GetProperty("from_scene").ValueKind);
        Assert.Equal(string.Empty, profile.GetProperty("from_scene").GetString());
    }

    [Fact]
    public async Task Second_login_counts_keeps_the_channel_and_is_not_new()
    {
        await using var app = await fixture.StartAppAsync();
        await app.LoginOkAsync("bob", "\"scene\":\"1007\",\"from_code\":\"first\",\"ofp\":\"o1\"");

        var second = await app.LoginOkAsync("bob", "\"scene\":1044,\"from_code\":\"second\",\"ofp\":\"o2\"");

        Assert.False(second.GetProperty("is_new").GetBoolean());
        Assert.Equal(2, second.GetProperty("login_times").GetInt64());
        Assert.Equal(1, second.GetProperty("online_days").GetInt64());
        Assert.Equal("1007", second.GetProperty("from_scene").GetString());
        Assert.Equal("first", second.GetProperty("from_code").GetString());
        Assert.Equal("o1", second.GetProperty("ofp").GetString());
    }

    [Fact]
    public async Task Login_stores_the_newest_session_key()
    {
        await using var app = await fixture.StartAppAsync();
        await app.LoginOkAsync("rotating");
        var first = app.WeChat.SessionKeyOf("rotating");

        await app.LoginOkAsync("rotating");

        var row = await app.RowAsync("rotating");
        Assert.NotEqual(first, row!.SessionKey);
        Assert.Equal(app.WeChat.SessionKeyOf("rotating"), row.SessionKey);
    }

    [Fact]
    public async Task Login_to_an_unknown_app_is_404_and_never_calls_WeChat()
    {
        await using var app = await fixture.StartAppAsync();
        var code = app.WeChat.NewCode("nobody");

        var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"WXTEST0000000001\",\"code\":\"{code}\"}}");

        await ProblemAssert.IsProblemAsync(response, 404, "unknown_app");
        Assert.Equal(0, app.WeChat.RequestsFor(code));
    }

    [Fact]
    public async Task Login_sends_the_app_secret_and_code_to_jscode2session_once()
    {
        await using var app = await fixture.StartAppAsync();
        var code = app.WeChat.NewCode("carol");

        var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.OtherAppId}\",\"code\":\"{code}\"}}");

        Assert.Equal(200, (int)response.StatusCode);
        var request = Assert.Single(app.WeChat.Requests, r => r.Code == code);
        Assert.Equal("/sns/jscode2session", request.Path);
        Assert.Equal(TestHost.OtherAppId, request.AppId);
        Assert.Equal(TestHost.OtherAppSecret, request.Secret);
        Assert.Equal("authorization_code", request.GrantType);
    }

    [Theory]
    [InlineData(40029, 400, "invalid_code", null)]
    [InlineData(40163, 400, "invalid_code", null)]
    [InlineData(45011, 429, "rate_limited", "60")]
    [InlineData(40226, 403, "login_blocked", null)]
    [InlineData(-1, 503, "upstream_unavailable", "1")]
    [InlineData(40013, 502, "upstream_error", null)]
    [InlineData(40125, 502, "upstream_error", null)]
    [InlineData(99999, 502, "upstream_error", null)]
    public async Task WeChat_errors_map_to_the_contract_and_change_nothing(int errcode, int status, string code, string? retryAfter)
    {
        await using var app = await fixture.StartAppAsync();
        var loginCode = "scripted-" + Guid.NewGuid().ToString("N");
        app.WeChat.AnswerError(loginCode, errcode);

        var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{loginCode}\"}}");

        await ProblemAssert.IsProblemAsync(response, status, code);
        Assert.Equal(retryAfter, response.Headers.RetryAfter?.ToString());
        Assert.Equal(1, app.WeChat.RequestsFor(loginCode));
        Assert.Equal(string.Empty, await app.DumpAsync());
    }

    [Fact]
    public async Task Wrong_app_credentials_are_logged_at_error_for_the_operator()
    {
        await using var app = await fixture.StartAppAsync();
        var loginCode = "scripted-" + Guid.NewGuid().ToString("N");
        app.WeChat.AnswerError(loginCode, 40125);

        await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{loginCode}\"}}");

        Assert.Contains(app.Host.Logs.Lines(), line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains(TestHost.AppId, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("garbage", 200, "text/plain", 502, "upstream_error")]
    [InlineData("{\"openid\":\"o1\"}", 200, "application/json", 502, "upstream_error")]
    [InlineData("{\"session_key\":\"a2V5\",\"openid\":\"bad/open#id\"}", 200, "text/plain", 502, "upstream_error")]
    [InlineData("oops", 500, "text/plain", 503, "upstream_unavailable")]
    public async Task Unusable_WeChat_answers_map_to_upstream_errors(string body, int upstreamStatus, string contentType, int status, string code)
    {
        await using var app = await fixture.StartAppAsync();
        var loginCode = "scripted-" + Guid.NewGuid().ToString("N");
        app.WeChat.Answer(loginCode, body, upstreamStatus, contentType);

        var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{loginCode}\"}}");

        await ProblemAssert.IsProblemAsync(response, status, code);
        Assert.Equal(1, app.WeChat.RequestsFor(loginCode));
    }

    [Fact]
    public async Task A_hanging_WeChat_times_out_as_503_without_resending_the_code()
    {
        await using var app = await fixture.StartAppAsync(new Dictionary<string, string?> { ["Tianmu:WeChat:Timeout"] = "00:00:00.300" });
        var loginCode = "scripted-" + Guid.NewGuid().ToString("N");
        app.WeChat.Hang(loginCode);

        var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{loginCode}\"}}");

        await ProblemAssert.IsProblemAsync(response, 503, "upstream_unavailable");
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal(1, app.WeChat.RequestsFor(loginCode));
    }

    [Fact]
    public async Task The_login_budget_bounds_the_whole_login()
    {
        await using var app = await fixture.StartAppAsync(new Dictionary<string, string?>
        {
            ["Tianmu:WeChat:Timeout"] = "00:00:30",
            ["Tianmu:Login:Budget"] = "00:00:00.400",
        });
        var loginCode = "scripted-" + Guid.NewGuid().ToString("N");
        app.WeChat.Hang(loginCode);

        var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{loginCode}\"}}");

        await ProblemAssert.IsProblemAsync(response, 503, "upstream_unavailable");
        Assert.Equal(1, app.WeChat.RequestsFor(loginCode));
    }

    [Fact]
    public async Task A_dropped_connection_is_503_without_resending_the_code()
    {
        await using var app = await fixture.StartAppAsync();
        var loginCode = "scripted-" + Guid.NewGuid().ToString("N");
        app.WeChat.Drop(loginCode);

        var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{loginCode}\"}}");

        await ProblemAssert.IsProblemAsync(response, 503, "upstream_unavailable");
        Assert.Equal(1, app.WeChat.RequestsFor(loginCode));
    }

    [Fact]
    public async Task Concurrent_logins_of_one_new_user_create_it_once_and_lose_no_increment()
    {
        await using var app = await fixture.StartAppAsync();
        const int Logins = 32;

        var responses = await Task.WhenAll(Enumerable.Range(0, Logins).Select(_ => app.LoginAsync("crowd")));

        Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
        var profiles = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Single(profiles, p => JsonDocument.Parse(p).RootElement.GetProperty("is_new").GetBoolean());
        var row = await app.RowAsync("crowd");
        Assert.Equal(Logins, row!.LoginTimes);
        Assert.Equal(1, row.OnlineDays);
    }

    [Fact]
    public async Task A_new_user_with_an_inviter_credits_the_inviter_once()
    {
        await using var app = await fixture.StartAppAsync();
        var inviter = (await app.LoginOkAsync("host")).GetProperty("open_id").GetString();

        await app.LoginOkAsync("guest", $"\"inviter\":\"{inviter}\"");
        await app.LoginOkAsync("guest", $"\"inviter\":\"{inviter}\"");

        Assert.Equal(1, (await app.RowAsync("host"))!.ShareNew);
        Assert.Equal(0, (await app.RowAsync("guest"))!.ShareNew);
    }

    [Fact]
    public async Task Concurrent_first_logins_credit_the_inviter_exactly_once_per_new_user()
    {
        await using var app = await fixture.StartAppAsync();
        var inviter = (await app.LoginOkAsync("popular")).GetProperty("open_id").GetString();
        var guests = Enumerable.Range(0, 5).Select(i => "guest" + i).ToArray();

        var responses = await Task.WhenAll(guests.SelectMany(g => Enumerable.Repeat(g, 4)).Select(g => app.LoginAsync(g, $"\"inviter\":\"{inviter}\"")));

        Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
        Assert.Equal(guests.Length, (await app.RowAsync("popular"))!.ShareNew);
    }

    [Theory]
    [InlineData("self")]
    [InlineData("ghost")]
    [InlineData("bad/inviter#id")]
    [InlineData("")]
    public async Task An_inviter_that_is_not_another_existing_user_is_ignored(string kind)
    {
        await using var app = await fixture.StartAppAsync();
        await app.LoginOkAsync("bystander");
        var inviter = kind switch
        {
            "self" => WeChatStandIn.OpenIdOf("newcomer"),
            "ghost" => WeChatStandIn.OpenIdOf("never-logged-in"),
            _ => kind,
        };

        var profile = await app.LoginOkAsync("newcomer", $"\"inviter\":\"{inviter}\"");

        Assert.True(profile.GetProperty("is_new").GetBoolean());
        Assert.Equal(0, (await app.RowAsync("newcomer"))!.ShareNew);
        Assert.Equal(0, (await app.RowAsync("bystander"))!.ShareNew);
    }

    [Fact]
    public async Task A_union_id_from_WeChat_is_kept_and_drives_the_pid()
    {
        await using var app = await fixture.StartAppAsync();
        app.WeChat.GiveUnionId("unioned", "union-first");
        var first = await app.LoginOkAsync("unioned");
        app.WeChat.GiveUnionId("unioned", "union-second");

        var second = await app.LoginOkAsync("unioned");

        Assert.Equal("union-first", first.GetProperty("union_id").GetString());
        Assert.Equal("union-first", second.GetProperty("union_id").GetString());
        Assert.Equal(Pid.Compute(TestHost.AppId, WeChatStandIn.OpenIdOf("unioned"), "union-first"), second.GetProperty("pid").GetString());
    }

    [Fact]
    public async Task A_union_id_arriving_later_recomputes_the_pid()
    {
        await using var app = await fixture.StartAppAsync();
        await app.LoginOkAsync("late-union");
        app.WeChat.GiveUnionId("late-union", "union-late");

        var profile = await app.LoginOkAsync("late-union");

        Assert.Equal(Pid.Compute("ignored", "ignored", "union-late"), profile.GetProperty("pid").GetString());
    }

    [Fact]
    public async Task With_partition_buckets_profiles_spread_and_inviters_across_partitions_are_credited_once()
    {
        await using var app = await fixture.StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Storage:PartitionBuckets"] = "8" });
        var keys = app.Host.Services.GetRequiredService<ProfileKeys>();
        var inviter = (await app.LoginOkAsync("bucket-host")).GetProperty("open_id").GetString()!;
        var inviterPartition = keys.PartitionKey(TestHost.AppId, inviter);
        var guest = Enumerable.Range(0, 100).Select(i => "bucket-guest" + i)
            .First(g => keys.PartitionKey(TestHost.AppId, WeChatStandIn.OpenIdOf(g)) != inviterPartition);

        await app.LoginOkAsync(guest, $"\"inviter\":\"{inviter}\"");
        await app.LoginOkAsync(guest, $"\"inviter\":\"{inviter}\"");

        Assert.Matches($"^{TestHost.AppId}-0[0-7]$", inviterPartition);
        var host = await app.RowAsync("bucket-host", partitionKey: inviterPartition);
        Assert.Equal(1, host!.ShareNew);
        var guestRow = await app.RowAsync(guest, partitionKey: keys.PartitionKey(TestHost.AppId, WeChatStandIn.OpenIdOf(guest)));
        Assert.Equal(2, guestRow!.LoginTimes);
        Assert.Equal(string.Empty, guestRow.PendingInviter);
    }

    [Fact]
    public async Task Login_location_comes_from_the_forwarded_address_only_when_trusted()
    {
        await using var trusting = await fixture.StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Http:TrustForwardedFor"] = "true" });
        await using var direct = await fixture.StartAppAsync();

        var located = await LoginFromAsync(trusting, "traveller", "202.96.128.86:5678");
        var peer = await LoginFromAsync(direct, "traveller", "202.96.128.86");

        Assert.Equal("广东省", located.GetProperty("login_province").GetString());
        Assert.Equal("广州市", located.GetProperty("login_city").GetString());
        Assert.Equal(string.Empty, located.GetProperty("login_district").GetString());
        Assert.Equal(string.Empty, peer.GetProperty("login_province").GetString());
    }

    private static async Task<JsonElement> LoginFromAsync(AppUnderTest app, string user, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/login")
        {
            Content = AppUnderTest.Json($"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{app.WeChat.NewCode(user)}\"}}"),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        var response = await app.Client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }
}
