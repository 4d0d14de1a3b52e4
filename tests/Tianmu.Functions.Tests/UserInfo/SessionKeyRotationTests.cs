
namespace Tianmu.Functions.Tests.UserInfo;

/// <summary>Item 2: data sealed with a rotated session key fails, stores nothing, and the next login heals it.</summary>
public sealed class SessionKeyRotationTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task Data_sealed_before_a_rotation_is_422_stores_nothing_and_succeeds_after_the_client_logs_in_again()
    {
        await using var app = await StartAppAsync();
        var firstToken = (await app.LoginOkAsync("rotor")).GetProperty("jwt").GetString();
        var firstKey = app.WeChat.SessionKeyOf("rotor");
        var stale = app.Seal("rotor", "Stale");
        var secondToken = (await app.LoginOkAsync("rotor")).GetProperty("jwt").GetString();
        Assert.NotEqual(firstKey, (await app.RowAsync("rotor"))!.SessionKey);
        var before = await app.DumpAsync();

        var withOldToken = await app.UpdateUserInfoAsync(stale, firstToken);
        var withNewToken = await app.UpdateUserInfoAsync(stale, secondToken);

        await ProblemAssert.IsProblemAsync(withOldToken, 422, "decrypt_failed");
        await ProblemAssert.IsProblemAsync(withNewToken, 422, "decrypt_failed");
        Assert.Equal(before, await app.DumpAsync());

        // The client's recovery: log in again, ask WeChat again, post once.
        await app.LoginOkAsync("rotor");
        var healed = await app.UpdateUserInfoAsync(app.Seal("rotor", "Fresh"), firstToken);

        Assert.Equal(200, (int)healed.StatusCode);
        var row = await app.RowAsync("rotor");
        Assert.Equal("Fresh", row!.NickName);
        Assert.Equal(3, row.LoginTimes);
    }

    [Fact]
    public async Task Data_sealed_before_a_login_that_did_not_rotate_the_key_still_succeeds()
    {
        await using var app = await StartAppAsync();
        app.WeChat.KeepSessionKey("steady");
        var token = (await app.LoginOkAsync("steady")).GetProperty("jwt").GetString();
        var sealedEarlier = app.Seal("steady", "Steady");

        await app.LoginOkAsync("steady");
        var response = await app.UpdateUserInfoAsync(sealedEarlier, token);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("Steady", (await app.RowAsync("steady"))!.NickName);
    }

    [Fact]
    public async Task Data_sealed_with_a_key_from_the_other_app_of_the_same_person_fails()
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync("two-apps")).GetProperty("jwt").GetString();
        await app.LoginOkAsync("two-apps", appId: Testing.TestHost.OtherAppId);
        var before = await app.DumpAsync();

        // Sealed for app 1 but with the key WeChat gave app 2's login (the stand-in keys by open id; the latest wins).
        var response = await app.UpdateUserInfoAsync(app.Seal("two-apps", "Crossed"), token);

        await ProblemAssert.IsProblemAsync(response, 422, "decrypt_failed");
        Assert.Equal(before, await app.DumpAsync());
    }
}
