using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.UserInfo;

/// <summary>
/// Item 8: a client must not learn why sealed data failed. A ciphertext with broken padding and one with valid
/// padding around the wrong plaintext (and every other cause) get byte-identical answers, apart from Date.
/// </summary>
public sealed class PaddingOracleTests(AppFixture fixture) : AppTest(fixture)
{
    private const string User = "oracle";

    [Fact]
    public async Task Broken_padding_and_every_other_decryption_failure_get_identical_answers_and_store_nothing()
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync(User)).GetProperty("jwt").GetString()!;
        await app.LoginOkAsync("oracle-other");
        var key = Convert.FromBase64String(app.WeChat.SessionKeyOf(User));
        var iv = new byte[16];
        RandomNumberGenerator.Fill(iv);
        var validJson = Encoding.UTF8.GetBytes($"{{\"nickName\":\"Oracle\",\"openId\":\"{WeChatStandIn.OpenIdOf(User)}\",\"watermark\":{{\"appid\":\"{TestHost.AppId}\",\"timestamp\":1}}}}");
        var before = await app.DumpAsync();

        var reference = await AnswerAsync(app, token, Body(Raw(key, iv, [.. Pkcs7(validJson)[..^1], 0x00]), iv));
        (string Name, string Body)[] others =
        [
            ("corrupted last block of real data", CorruptLastBlock(app.Seal(User, "Oracle", withRawData: false))),
            ("padding byte 0x11", Body(Raw(key, iv, [.. Pkcs7(validJson)[..^1], 0x11]), iv)),
            ("inconsistent padding bytes", Body(Raw(key, iv, [.. Pkcs7(validJson)[..^2], 0x01, 0x02]), iv)),
            ("valid padding, not JSON", Body(Raw(key, iv, Pkcs7("this is not JSON at all"u8.ToArray())), iv)),
            ("valid padding, invalid UTF-8", Body(Raw(key, iv, Pkcs7([0xFF, 0xFE, 0xFD])), iv)),
            ("valid padding, truncated JSON", Body(Raw(key, iv, Pkcs7(validJson[..^3])), iv)),
            ("valid padding, JSON array", Body(Raw(key, iv, Pkcs7("[1,2,3]"u8.ToArray())), iv)),
            ("valid padding, no nickName", Body(Raw(key, iv, Pkcs7(Encoding.UTF8.GetBytes($"{{\"watermark\":{{\"appid\":\"{TestHost.AppId}\"}}}}"))), iv)),
            ("valid padding, watermark of another app", app.Seal(User, "Oracle", appId: TestHost.OtherAppId, withRawData: false)),
            ("valid padding, another user's open id", app.Seal(User, "Oracle", openId: WeChatStandIn.OpenIdOf("oracle-other"), withRawData: false)),
            ("another user's key", app.Seal(User, "Oracle", sessionKey: app.WeChat.SessionKeyOf("oracle-other"), withRawData: false)),
            ("length not a multiple of 16", Body(RandomNumberGenerator.GetBytes(33), iv)),
            ("a single block", Body(RandomNumberGenerator.GetBytes(16), iv)),
            ("signature that does not match", WrongSignature(app.Seal(User, "Oracle"))),
        ];

        foreach (var (name, body) in others)
        {
            var answer = await AnswerAsync(app, token, body);
            Assert.True(reference == answer, $"{name} is told apart from broken padding:\n{reference}\n---\n{answer}");
        }

        Assert.StartsWith("422", reference, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexString("\"code\":\"decrypt_failed\""u8), reference, StringComparison.Ordinal);
        Assert.Equal(before, await app.DumpAsync());
        Figures.Record("oracle", "decryption failures compared with broken padding", others.Length);
    }

    // Status, every header but Date, and the body bytes.
    private static async Task<string> AnswerAsync(AppUnderTest app, string token, string body)
    {
        SecretsWitness.NoteSealedBody(body);
        var response = await app.PostAsync("/api/updateUserInfo", body, token);
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase))
            .Select(h => h.Key + ": " + string.Join(",", h.Value))
            .Order(StringComparer.Ordinal);
        return (int)response.StatusCode + "\n" + string.Join('\n', headers) + "\n" + Convert.ToHexString(await response.Content.ReadAsByteArrayAsync());
    }

    private static byte[] Pkcs7(byte[] plaintext)
    {
        var pad = 16 - (plaintext.Length % 16);
        return [.. plaintext, .. Enumerable.Repeat((byte)pad, pad)];
    }

    private static byte[] Raw(byte[] key, byte[] iv, byte[] blocks)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        return aes.EncryptCbc(blocks, iv, PaddingMode.None);
    }

    private static string Body(byte[] ciphertext, byte[] iv) =>
        JsonSerializer.Serialize(new { encryptedData = Convert.ToBase64String(ciphertext), iv = Convert.ToBase64String(iv) });

    private static string CorruptLastBlock(string sealedBody)
    {
        var document = JsonSerializer.Deserialize<Dictionary<string, string>>(sealedBody)!;
        var bytes = Convert.FromBase64String(document["encryptedData"]);
        bytes[^9] ^= 0x01;
        document["encryptedData"] = Convert.ToBase64String(bytes);
        return JsonSerializer.Serialize(document);
    }

    private static string WrongSignature(string sealedBody)
    {
        var document = JsonSerializer.Deserialize<Dictionary<string, string>>(sealedBody)!;
        document["signature"] = new string('0', 40);
        return JsonSerializer.Serialize(document);
    }
}
