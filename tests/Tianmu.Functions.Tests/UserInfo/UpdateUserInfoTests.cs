using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.UserInfo;

public sealed class UpdateUserInfoTests(AppFixture fixture)
{
    [Fact]
    public async Task Journey_login_then_updateUserInfo_then_login_returns_the_stored_profile()
    {
        await using var app = await fixture.StartAppAsync();
        var token = (await app.LoginOkAsync("dora")).GetProperty("jwt").GetString();

        var updated = await app.PostAsync("/api/updateUserInfo", app.Seal("dora", "朵拉", city: "Guangzhou", province: "Guangdong", country: "China", gender: 2), token);

        Assert.Equal(200, (int)updated.StatusCode);
        var profile = JsonDocument.Parse(await updated.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("朵拉", profile.GetProperty("nick_name").GetString());
        Assert.Equal(2, profile.GetProperty("gender").GetInt32());
        Assert.Equal(string.Empty, profile.GetProperty("jwt").GetString());
        Assert.False(profile.GetProperty("is_new").GetBoolean());
        var again = await app.LoginOkAsync("dora");
        Assert.Equal("朵拉", again.GetProperty("nick_name").GetString());
        Assert.Equal("https://thirdwx.qlogo.cn/mmopen/vi_32/real/132", again.GetProperty("avatar_url").GetString());
        Assert.Equal("Guangzhou", again.GetProperty("city").GetString());
        Assert.Equal("Guangdong", again.GetProperty("province").GetString());
        Assert.Equal("China", again.GetProperty("country").GetString());
        Assert.Equal("zh_CN", again.GetProperty("language").GetString());
        Assert.Equal(2, again.GetProperty("gender").GetInt32());
    }

    [Fact]
    public async Task Without_rawData_the_data_is_accepted_on_decryption_alone()
    {
        await using var app = await fixture.StartAppAsync();
        var token = (await app.LoginOkAsync("plain")).GetProperty("jwt").GetString();

        var response = await app.PostAsync("/api/updateUserInfo", app.Seal("plain", "Plain", withRawData: false), token);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_union_id_in_the_user_info_is_stored_and_recomputes_the_pid()
    {
        await using var app = await fixture.StartAppAsync();
        var token = (await app.LoginOkAsync("eve")).GetProperty("jwt").GetString();

        var response = await app.PostAsync("/api/updateUserInfo", app.Seal("eve", "Eve", unionId: "union-eve"), token);

        var profile = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("union-eve", profile.GetProperty("union_id").GetString());
        Assert.Equal(Pid.Compute("x", "y", "union-eve"), profile.GetProperty("pid").GetString());
    }

    [Fact]
    public async Task Anonymous_data_never_overwrites_a_stored_nickname_or_avatar()
    {
        await using var app = await fixture.StartAppAsync();
        var token = (await app.LoginOkAsync("frank")).GetProperty("jwt").GetString();
        await app.PostAsync("/api/updateUserInfo", app.Seal("frank", "Frank", gender: 1), token);

        var response = await app.PostAsync(
            "/api/updateUserInfo",
            app.Seal("frank", "微信用户", avatarUrl: "https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132", gender: 0, city: "", province: "", country: ""),
            token);

        Assert.Equal(200, (int)response.StatusCode);
        var row = await app.RowAsync("frank");
        Assert.Equal("Frank", row!.NickName);
        Assert.Equal("https://thirdwx.qlogo.cn/mmopen/vi_32/real/132", row.AvatarUrl);
        Assert.Equal(1, row.Gender);
        Assert.Equal("Guangzhou", row.City);
    }

    [Fact]
    public async Task Missing_token_is_401_with_a_bearer_challenge()
    {
        await using var app = await fixture.StartAppAsync();
        await app.LoginOkAsync("gina");

        var response = await app.PostAsync("/api/updateUserInfo", app.Seal("gina", "Gina"));

        await ProblemAssert.IsProblemAsync(response, 401, "invalid_token");
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_token_whose_user_has_no_profile_is_401()
    {
        await using var app = await fixture.StartAppAsync();
        var token = app.Host.Services.GetRequiredService<TokenService>().Issue(
            new ProfileEntity { AppId = TestHost.AppId, OpenId = WeChatStandIn.OpenIdOf("phantom"), SecurityStamp = ProfileRules.NewSecurityStamp() },
            DateTimeOffset.UtcNow).Jwt;

        var response = await app.PostAsync("/api/updateUserInfo", "{}", token);

        await ProblemAssert.IsProblemAsync(response, 401, "invalid_token");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_401()
    {
        await using var app = await fixture.StartAppAsync();
        await app.LoginOkAsync("hal");
        await using var other = await fixture.StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Jwt:PrivateKey"] = TestKeys.NewP256().ExportPkcs8PrivateKeyPem() });
        var forged = other.Host.Services.GetRequiredService<TokenService>().Issue((await app.RowAsync("hal"))!, DateTimeOffset.UtcNow).Jwt;

        var response = await app.PostAsync("/api/updateUserInfo", app.Seal("hal", "Hal"), forged);

        await ProblemAssert.IsProblemAsync(response, 401, "invalid_token");
    }

    [Fact]
    public async Task A_profile_without_a_session_key_is_409_session_expired()
    {
        await using var app = await fixture.StartAppAsync();
        var token = (await app.LoginOkAsync("ivy")).GetProperty("jwt").GetString();
        var row = await app.RowAsync("ivy");
        var sessionKey = row!.SessionKey;
        row.SessionKey = string.Empty;
        await app.Table.UpdateEntityAsync(row, row.ETag);
        var before = await app.DumpAsync();

        var response = await app.PostAsync("/api/updateUserInfo", app.Seal("ivy", "Ivy", sessionKey: sessionKey), token);

        await ProblemAssert.IsProblemAsync(response, 409, "session_expired");
        Assert.Equal(before, await app.DumpAsync());
    }

    public static TheoryData<string> Tampering => ["wrong key", "other app watermark", "other user", "bad signature", "flipped byte", "not user info"];

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Data_that_does_not_verify_is_422_and_stores_nothing(string tampering)
    {
        await using var app = await fixture.StartAppAsync();
        var token = (await app.LoginOkAsync("jack")).GetProperty("jwt").GetString();
        await app.LoginOkAsync("jill");
        var before = await app.DumpAsync();
        var body = tampering switch
        {
            "wrong key" => app.Seal("jack", "Jack", sessionKey: app.WeChat.SessionKeyOf("jill")),
            "other app watermark" => app.Seal("jack", "Jack", appId: TestHost.OtherAppId),
            "other user" => app.Seal("jack", "Jack", openId: WeChatStandIn.OpenIdOf("jill")),
            "bad signature" => CorruptSignature(app.Seal("jack", "Jack")),
            "flipped byte" => FlipCiphertext(app.Seal("jack", "Jack", withRawData: false)),
            _ => SealPhonePayload(app, "jack"),
        };

        var response = await app.PostAsync("/api/updateUserInfo", body, token);

        await ProblemAssert.IsProblemAsync(response, 422, "decrypt_failed");
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task Data_sealed_with_a_rotated_key_fails_and_succeeds_after_sealing_again()
    {
        await using var app = await fixture.StartAppAsync();
        await app.LoginOkAsync("kate");
        var stale = app.Seal("kate", "Kate");
        var token = (await app.LoginOkAsync("kate")).GetProperty("jwt").GetString();

        var failed = await app.PostAsync("/api/updateUserInfo", stale, token);
        var fresh = await app.PostAsync("/api/updateUserInfo", app.Seal("kate", "Kate"), token);

        await ProblemAssert.IsProblemAsync(failed, 422, "decrypt_failed");
        Assert.Equal(200, (int)fresh.StatusCode);
    }

    [Fact]
    public async Task No_answer_or_log_line_carries_a_session_key_secret_signing_key_or_encryptedData()
    {
        await using var app = await fixture.StartAppAsync();
        var secrets = new List<string>([TestHost.AppSecret, TestHost.OtherAppSecret, .. TestKeys.CurrentSecrets]);
        var token = (await app.LoginOkAsync("leo")).GetProperty("jwt").GetString();
        secrets.Add(app.WeChat.SessionKeyOf("leo"));
        var sealedBody = app.Seal("leo", "Leo");
        secrets.Add(JsonDocument.Parse(sealedBody).RootElement.GetProperty("encryptedData").GetString()!);
        await app.PostAsync("/api/updateUserInfo", sealedBody, token);
        await app.PostAsync("/api/updateUserInfo", FlipCiphertext(app.Seal("leo", "Leo", withRawData: false)), token);
        var failing = "scripted-" + Guid.NewGuid().ToString("N");
        app.WeChat.AnswerError(failing, 40125);
        await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{failing}\"}}");
        await app.LoginOkAsync("leo");
        secrets.Add(app.WeChat.SessionKeyOf("leo"));

        var everything = string.Join('\n', app.Transcript) + "\n" + app.Host.Logs.All();

        Assert.NotEmpty(app.Host.Logs.Lines());
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, everything, StringComparison.Ordinal));
    }

    private static string CorruptSignature(string body)
    {
        var document = JsonSerializer.Deserialize<Dictionary<string, string>>(body)!;
        var signature = document["signature"];
        document["signature"] = (signature[0] == 'a' ? 'b' : 'a') + signature[1..];
        return JsonSerializer.Serialize(document);
    }

    private static string FlipCiphertext(string body)
    {
        var document = JsonSerializer.Deserialize<Dictionary<string, string>>(body)!;
        var bytes = Convert.FromBase64String(document["encryptedData"]);
        bytes[^1] ^= 0x5A;
        document["encryptedData"] = Convert.ToBase64String(bytes);
        return JsonSerializer.Serialize(document);
    }

    private static string SealPhonePayload(AppUnderTest app, string user)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(new
        {
            phoneNumber = "+8613800000000",
            purePhoneNumber = "13800000000",
            countryCode = "86",
            watermark = new { timestamp = 1_700_000_000, appid = TestHost.AppId },
        });
        var iv = Convert.ToBase64String(new byte[16]);
        var encrypted = WeChat.Crypto.WeChatDataCrypto.Encrypt(plaintext, app.WeChat.SessionKeyOf(user), iv);
        return JsonSerializer.Serialize(new { encryptedData = encrypted, iv });
    }
}
