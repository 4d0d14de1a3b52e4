using Tianmu.Functions.Tests.Http;
using Tianmu.Functions.Tests.Tokens;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Profiles;

/// <summary>
/// Item 10: values Table Storage forbids as keys never reach it. A spy on the app's table client records every
/// storage request, so "never passed to storage" is observed, not inferred.
/// </summary>
public sealed class KeysInStorageTests(AppFixture fixture) : AppTest(fixture)
{
    // One app per test, one request per illegal value: the spy is emptied before each so every value is judged alone.
    [Fact]
    public async Task An_illegal_app_id_is_refused_before_WeChat_and_storage()
    {
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(spy: spy);

        foreach (var (which, appId) in BadInputCorpus.IllegalIds())
        {
            spy.Requests.Clear();
            var code = app.WeChat.NewCode("illegal-app");

            var response = await app.PostAsync("/api/login", $"{{\"app_id\":{AppRequests.JsonString(appId)},\"code\":\"{code}\"}}");

            Assert.True(400 == (int)response.StatusCode, $"app_id {which}: {(int)response.StatusCode}");
            await ProblemAssert.IsProblemAsync(response, 400, "invalid_request");
            Assert.True(spy.Requests.IsEmpty, $"app_id {which} reached storage: {string.Join(" | ", spy.Requests)}");
            Assert.True(app.WeChat.RequestsFor(code) == 0, $"app_id {which} reached WeChat");
        }
    }

    [Fact]
    public async Task An_illegal_inviter_is_ignored_and_never_looked_up()
    {
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(spy: spy);

        foreach (var (index, (which, inviter)) in BadInputCorpus.IllegalIds().Index())
        {
            spy.Requests.Clear();
            var guestName = "illegal-inviter-" + index;

            var profile = await app.LoginOkAsync(guestName, $"\"inviter\":{AppRequests.JsonString(inviter)}");

            Assert.True(profile.GetProperty("is_new").GetBoolean(), which);
            var guest = WeChatStandIn.OpenIdOf(guestName);
            Assert.False(spy.Requests.IsEmpty);
            Assert.All(spy.Requests, r => Assert.True(
                !r.Contains("RowKey=", StringComparison.Ordinal) || r.Contains($"RowKey='{guest}'", StringComparison.Ordinal),
                $"inviter {which}: storage was asked for another row: {r}"));
        }

        Assert.Equal(BadInputCorpus.IllegalIds().Count(), (await app.Table.QueryAsync<Azure.Data.Tables.TableEntity>().ToListAsync()).Count);
    }

    [Fact]
    public async Task A_signed_token_whose_subject_or_audience_is_an_illegal_key_is_401_and_never_reaches_storage()
    {
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(spy: spy);

        foreach (var (which, value) in BadInputCorpus.IllegalIds())
        {
            foreach (var (claim, token) in new[] { ("sub", TokenForge.Forge(value)), ("aud", TokenForge.Forge(WeChatStandIn.OpenIdOf("someone"), aud: value)) })
            {
                spy.Requests.Clear();

                var response = await app.PostAsync("/api/updateUserInfo", "{}", token);

                Assert.True(401 == (int)response.StatusCode, $"{claim} {which}: {(int)response.StatusCode}");
                await ProblemAssert.IsProblemAsync(response, 401, "invalid_token");
                Assert.True(spy.Requests.IsEmpty, $"{claim} {which} reached storage: {string.Join(" | ", spy.Requests)}");
            }
        }
    }

    [Fact]
    public async Task An_open_id_from_WeChat_that_is_an_illegal_key_is_502_and_never_reaches_storage()
    {
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(spy: spy);

        foreach (var (which, openId) in BadInputCorpus.IllegalIds())
        {
            spy.Requests.Clear();
            var code = "scripted-" + Guid.NewGuid().ToString("N");
            app.WeChat.Answer(code, $"{{\"session_key\":\"a2V5a2V5a2V5a2V5a2V5aw==\",\"openid\":{AppRequests.JsonString(openId)}}}");

            var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{code}\"}}");

            Assert.True(502 == (int)response.StatusCode, $"open id {which}: {(int)response.StatusCode}");
            await ProblemAssert.IsProblemAsync(response, 502, "upstream_error");
            Assert.True(spy.Requests.IsEmpty, $"open id {which} reached storage: {string.Join(" | ", spy.Requests)}");
        }
    }
}
