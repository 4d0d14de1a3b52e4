using System.Globalization;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Limits;

/// <summary>docs/API.md, "Abuse limits", over HTTP: Bearer routes per user, rejected logins per IP, 429 with Retry-After.</summary>
public sealed class AbuseLimitsHttpTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task A_user_over_the_limit_gets_429_with_Retry_After_and_nothing_changes_while_other_users_are_served()
    {
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Limits:UserRequestsPerMinute"] = "3" }, spy: spy);
        var flooder = (await app.LoginOkAsync("flooder")).GetProperty("jwt").GetString();
        var other = (await app.LoginOkAsync("bystander")).GetProperty("jwt").GetString();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (int)(await app.UpdateUserInfoAsync(app.Seal("flooder", "Flood " + i), flooder)).StatusCode);
        }

        var before = await app.DumpAsync();
        var requests = spy.Count;
        var refused = await app.UpdateUserInfoAsync(app.Seal("flooder", "Flood 4"), flooder);

        await ProblemAssert.IsProblemAsync(refused, 429, "rate_limited");
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(before, await app.DumpAsync());
        Assert.Equal(requests, spy.Count);
        Assert.Equal(200, (int)(await app.UpdateUserInfoAsync(app.Seal("bystander", "Calm"), other)).StatusCode);
    }

    [Fact]
    public async Task Credentials_come_before_the_rate_limit_and_the_limit_before_the_body()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Limits:UserRequestsPerMinute"] = "1" });
        var token = (await app.LoginOkAsync("order")).GetProperty("jwt").GetString();
        Assert.Equal(200, (int)(await app.UpdateUserInfoAsync(app.Seal("order", "Once"), token)).StatusCode);

        await ProblemAssert.IsProblemAsync(await app.PostAsync("/api/updateUserInfo", "{}", "not-a-token"), 401, "invalid_token");
        await ProblemAssert.IsProblemAsync(await app.PostAsync("/api/updateUserInfo", "not json", token), 429, "rate_limited");
    }

    [Fact]
    public async Task Logins_WeChat_rejected_close_the_address_for_the_minute_without_calling_WeChat_and_accepted_logins_never_count()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?>
        {
            ["Tianmu:Http:TrustForwardedFor"] = "true",
            ["Tianmu:Limits:RejectedLoginsPerIpPerMinute"] = "3",
        });

        // Carrier-grade NAT: many accepted logins behind one address are never limited.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (int)(await LoginFromAsync(app, app.WeChat.NewCode("nat-player-" + i), "198.51.100.20")).StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            await ProblemAssert.IsProblemAsync(await LoginFromAsync(app, "forged-code-" + i, "198.51.100.20"), 400, "invalid_code");
        }

        var code = app.WeChat.NewCode("nat-player-late");
        var refused = await LoginFromAsync(app, code, "198.51.100.20");

        await ProblemAssert.IsProblemAsync(refused, 429, "rate_limited");
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(0, app.WeChat.RequestsFor(code));
        Assert.Null(await app.RowAsync("nat-player-late"));
        Assert.Equal(200, (int)(await LoginFromAsync(app, app.WeChat.NewCode("elsewhere"), "198.51.100.21")).StatusCode);
        Assert.Equal(200, (int)(await LoginFromAsync(app, app.WeChat.NewCode("unknown-address"), null)).StatusCode);
    }

    private static async Task<HttpResponseMessage> LoginFromAsync(AppUnderTest app, string code, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/login")
        {
            Content = AppUnderTest.Json($"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{code}\"}}"),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await app.SendAsync(request);
    }
}
