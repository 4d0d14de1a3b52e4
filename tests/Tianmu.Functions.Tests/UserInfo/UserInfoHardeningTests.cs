using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tianmu.Testing;
using Tianmu.WeChat.Crypto;

namespace Tianmu.Functions.Tests.UserInfo;

/// <summary>
/// Issue 13, failures 1–3: whatever a client seals with its own session key (or produces by altering the iv), the
/// answer is 200 or 422 <c>decrypt_failed</c>, and a 422 stores nothing.
/// </summary>
public sealed class UserInfoHardeningTests(AppFixture fixture) : AppTest(fixture)
{
    [Theory]
    [InlineData("city")]
    [InlineData("nickName")]
    [InlineData("province")]
    [InlineData("country")]
    [InlineData("avatarUrl")]
    [InlineData("language")]
    public async Task A_sealed_string_over_its_stored_length_is_decrypt_failed_and_stores_nothing(string member)
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync("long-" + member)).GetProperty("jwt").GetString();
        var before = await app.DumpAsync();

        var info = Genuine("long-" + member);
        info[member] = new string('x', 33_000);
        var body = SealRaw(app, "long-" + member, JsonSerializer.SerializeToUtf8Bytes(info));
        Assert.True(Encoding.UTF8.GetByteCount(body) < 65_536);
        var response = await app.UpdateUserInfoAsync(body, token);

        await ProblemAssert.IsProblemAsync(response, 422, "decrypt_failed");
        Assert.Equal(before, await app.DumpAsync());
    }

    [Theory]
    [InlineData("nickName", 128, true)]
    [InlineData("nickName", 129, false)]
    [InlineData("avatarUrl", 2048, true)]
    [InlineData("avatarUrl", 2049, false)]
    [InlineData("city", 128, true)]
    [InlineData("city", 129, false)]
    [InlineData("language", 32, true)]
    [InlineData("language", 33, false)]
    public async Task Stored_lengths_are_the_contract_s_to_the_character(string member, int length, bool fits)
    {
        await using var app = await StartAppAsync();
        var user = $"edge-{member}-{length}";
        var token = (await app.LoginOkAsync(user)).GetProperty("jwt").GetString();
        var info = Genuine(user);
        info[member] = new string('长', length);

        var response = await app.UpdateUserInfoAsync(SealRaw(app, user, JsonSerializer.SerializeToUtf8Bytes(info)), token);

        Assert.Equal(fits ? 200 : 422, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("with space")]
    [InlineData("ends-with-newline\n")]
    [InlineData("a/b")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task A_union_id_that_is_not_a_legal_id_is_decrypt_failed(string unionId)
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync("bad-union")).GetProperty("jwt").GetString();
        var before = await app.DumpAsync();
        var info = Genuine("bad-union");
        info["unionId"] = unionId;

        var response = await app.UpdateUserInfoAsync(SealRaw(app, "bad-union", JsonSerializer.SerializeToUtf8Bytes(info)), token);

        await ProblemAssert.IsProblemAsync(response, 422, "decrypt_failed");
        Assert.Equal(before, await app.DumpAsync());
    }

    [Theory]
    [InlineData("""{"\ud800":"x","openId":"{openId}","nickName":"a","watermark":{"appid":"{appId}","timestamp":1}}""")]
    [InlineData("""{"openId":"{openId}","nickName":"a","\udfff\u0041":1,"watermark":{"appid":"{appId}","timestamp":1}}""")]
    [InlineData("""{"openId":"{openId}","nickName":"a","watermark":{"\ud800":"x","appid":"{appId}","timestamp":1}}""")]
    [InlineData("""{"openId":"{openId}","nickName":"a\ud800","watermark":{"appid":"{appId}","timestamp":1}}""")]
    [InlineData("""{"openId":"{openId}","nickName":"a","gender":1e400,"watermark":{"appid":"{appId}","timestamp":1}}""")]
    [InlineData("""{"openId":"{openId}","nickName":"a","watermark":{"appid":"{appId}","timestamp":99999999999999999999999}}""")]
    public async Task An_escape_name_or_number_the_reader_cannot_take_is_decrypt_failed(string template)
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync("escapes")).GetProperty("jwt").GetString();
        var before = await app.DumpAsync();
        var plaintext = template.Replace("{openId}", WeChatStandIn.OpenIdOf("escapes"), StringComparison.Ordinal).Replace("{appId}", TestHost.AppId, StringComparison.Ordinal);

        var response = await app.UpdateUserInfoAsync(SealRaw(app, "escapes", Encoding.UTF8.GetBytes(plaintext)), token);

        await ProblemAssert.IsProblemAsync(response, 422, "decrypt_failed");
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task A_payload_without_openId_is_decrypt_failed_and_plants_no_union_id()
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync("no-openid")).GetProperty("jwt").GetString();
        var before = await app.DumpAsync();
        var info = Genuine("no-openid");
        info.Remove("openId");
        info["unionId"] = "planted-union";

        var response = await app.UpdateUserInfoAsync(SealRaw(app, "no-openid", JsonSerializer.SerializeToUtf8Bytes(info)), token);

        await ProblemAssert.IsProblemAsync(response, 422, "decrypt_failed");
        Assert.Equal(before, await app.DumpAsync());
        Assert.Equal(string.Empty, (await app.RowAsync("no-openid"))!.UnionId);
    }

    [Fact]
    public async Task An_iv_altered_to_rewrite_the_first_block_cannot_plant_a_union_id()
    {
        await using var app = await StartAppAsync();
        var user = "iv-forger";
        var token = (await app.LoginOkAsync(user)).GetProperty("jwt").GetString();
        var before = await app.DumpAsync();
        // The genuine payload starts with {"openId":"<id>",...; the attacker makes block 1 read {"unionId":"u1",
        var genuine = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Genuine(user)));
        var wanted = Encoding.UTF8.GetBytes("{\"unionId\":\"u1\",");
        var iv = RandomNumberGenerator.GetBytes(16);
        var data = WeChatDataCrypto.Encrypt(genuine, app.WeChat.SessionKeyOf(user), Convert.ToBase64String(iv));
        var forged = iv.Select((b, i) => (byte)(b ^ genuine[i] ^ wanted[i])).ToArray();

        var response = await app.UpdateUserInfoAsync(Body(data, Convert.ToBase64String(forged)), token);

        await ProblemAssert.IsProblemAsync(response, 422, "decrypt_failed");
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task Random_iv_flips_and_mutations_of_a_genuine_payload_answer_200_or_422_and_422_stores_nothing()
    {
        // One user sends more than a minute's limit here: the limit is off (0) for this test.
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Limits:UserRequestsPerMinute"] = "0" });
        var user = "corpus-user";
        var token = (await app.LoginOkAsync(user)).GetProperty("jwt").GetString();
        var key = app.WeChat.SessionKeyOf(user);
        var genuine = JsonSerializer.SerializeToUtf8Bytes(Genuine(user));
        var random = new Random(1313);
        var answers = new Dictionary<int, int>();
        for (var run = 0; run < 150; run++)
        {
            string body;
            if (run % 2 == 0)
            {
                var iv = RandomNumberGenerator.GetBytes(16);
                var data = WeChatDataCrypto.Encrypt(genuine, key, Convert.ToBase64String(iv));
                iv[random.Next(16)] ^= (byte)(1 << random.Next(8));
                body = Body(data, Convert.ToBase64String(iv));
            }
            else
            {
                body = SealRaw(app, user, UserInfoCorpus.Mutate(genuine, random));
            }

            var before = await app.DumpAsync();
            var response = await app.UpdateUserInfoAsync(body, token);
            var status = (int)response.StatusCode;
            answers[status] = answers.GetValueOrDefault(status) + 1;
            Assert.True(status is 200 or 422, $"run {run} answered {status}: {await response.Content.ReadAsStringAsync()}");
            if (status == 422)
            {
                Assert.Equal(before, await app.DumpAsync());
            }
        }

        Figures.Record("userinfo", "iv flips and mutations over HTTP: 200", answers.GetValueOrDefault(200));
        Figures.Record("userinfo", "iv flips and mutations over HTTP: 422", answers.GetValueOrDefault(422));
    }

    [Fact]
    public async Task An_updateUserInfo_that_changes_nothing_writes_nothing()
    {
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(spy: spy);
        var token = (await app.LoginOkAsync("same-again")).GetProperty("jwt").GetString();
        var info = JsonSerializer.SerializeToUtf8Bytes(Genuine("same-again"));
        Assert.Equal(200, (int)(await app.UpdateUserInfoAsync(SealRaw(app, "same-again", info), token)).StatusCode);
        var etag = (await app.RowAsync("same-again"))!.ETag;
        var writes = spy.Writes;

        var again = await app.UpdateUserInfoAsync(SealRaw(app, "same-again", info), token);

        Assert.Equal(200, (int)again.StatusCode);
        Assert.Equal(writes, spy.Writes);
        Assert.Equal(etag, (await app.RowAsync("same-again"))!.ETag);
    }

    internal static Dictionary<string, object> Genuine(string user) => new()
    {
        ["openId"] = WeChatStandIn.OpenIdOf(user),
        ["nickName"] = "Genuine",
        ["gender"] = 1,
        ["language"] = "zh_CN",
        ["city"] = "Guangzhou",
        ["province"] = "Guangdong",
        ["country"] = "China",
        ["avatarUrl"] = "https://thirdwx.qlogo.cn/mmopen/vi_32/real/132",
        ["watermark"] = new Dictionary<string, object> { ["timestamp"] = 1_700_000_000, ["appid"] = TestHost.AppId },
    };

    private static string SealRaw(AppUnderTest app, string user, byte[] plaintext)
    {
        var iv = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        return Body(WeChatDataCrypto.Encrypt(plaintext, app.WeChat.SessionKeyOf(user), iv), iv);
    }

    private static string Body(string encryptedData, string iv) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["encryptedData"] = encryptedData, ["iv"] = iv });
}
