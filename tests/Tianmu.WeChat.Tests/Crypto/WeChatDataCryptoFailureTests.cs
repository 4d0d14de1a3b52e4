using System.Security.Cryptography;
using System.Text;
using Tianmu.WeChat.Crypto;
using static Tianmu.WeChat.Tests.Crypto.WeChatDataCryptoVectorTests;

namespace Tianmu.WeChat.Tests.Crypto;

/// <summary>Every bad input ends in the one <see cref="WeChatDecryptionException"/> with the one message.</summary>
public sealed class WeChatDataCryptoFailureTests
{
    private const string AppId = "wx4f4bc4dec97d474b";
    private static readonly EncryptionVector V = TestVectors.UserInfo;

    public static TheoryData<string, string?, string?, string?, string?> BadInputs()
    {
        var other = TestVectors.Phone;
        var cipher = Convert.FromBase64String(V.EncryptedData);
        var data = new TheoryData<string, string?, string?, string?, string?>
        {
            // label, encryptedData, iv, sessionKey, expectedAppId
            { "wrong key", V.EncryptedData, V.Iv, other.SessionKey, AppId },
            { "wrong iv", V.EncryptedData, other.Iv, V.SessionKey, AppId },
            { "other app", V.EncryptedData, V.Iv, V.SessionKey, "wx0000000000000000" },
            { "app id differing in case", V.EncryptedData, V.Iv, V.SessionKey, AppId.ToUpperInvariant() },
            { "app id with a trailing space", V.EncryptedData, V.Iv, V.SessionKey, AppId + " " },
            { "last block dropped", Convert.ToBase64String(cipher.AsSpan(0, cipher.Length - 16)), V.Iv, V.SessionKey, AppId },
            { "one byte short", Convert.ToBase64String(cipher.AsSpan(0, cipher.Length - 1)), V.Iv, V.SessionKey, AppId },
            { "one byte long", Convert.ToBase64String([.. cipher, 0]), V.Iv, V.SessionKey, AppId },
            { "15 bytes", Convert.ToBase64String(cipher.AsSpan(0, 15)), V.Iv, V.SessionKey, AppId },
            { "truncated base64", V.EncryptedData[..^3], V.Iv, V.SessionKey, AppId },
            { "empty data", "", V.Iv, V.SessionKey, AppId },
            { "empty iv", V.EncryptedData, "", V.SessionKey, AppId },
            { "empty key", V.EncryptedData, V.Iv, "", AppId },
            { "empty app id", V.EncryptedData, V.Iv, V.SessionKey, "" },
            { "null data", null, V.Iv, V.SessionKey, AppId },
            { "null iv", V.EncryptedData, null, V.SessionKey, AppId },
            { "null key", V.EncryptedData, V.Iv, null, AppId },
            { "null app id", V.EncryptedData, V.Iv, V.SessionKey, null },
            { "non-base64 data", "not base64 at all!", V.Iv, V.SessionKey, AppId },
            { "non-base64 iv", V.EncryptedData, "!!!!!!!!!!!!!!!!!!!!!!!!", V.SessionKey, AppId },
            { "non-base64 key", V.EncryptedData, V.Iv, "%%%%%%%%%%%%%%%%%%%%%%==", AppId },
            { "base64url data", V.EncryptedData.Replace('+', '-').Replace('/', '_'), V.Iv, V.SessionKey, AppId },
            { "padding only", "====", V.Iv, V.SessionKey, AppId },
            { "key of 15 bytes", V.EncryptedData, V.Iv, Convert.ToBase64String(new byte[15]), AppId },
            { "key of 17 bytes", V.EncryptedData, V.Iv, Convert.ToBase64String(new byte[17]), AppId },
            { "key of 32 bytes", V.EncryptedData, V.Iv, Convert.ToBase64String(new byte[32]), AppId },
            { "iv of 8 bytes", V.EncryptedData, Convert.ToBase64String(new byte[8]), V.SessionKey, AppId },
            { "iv of 15 bytes", V.EncryptedData, Convert.ToBase64String(new byte[15]), V.SessionKey, AppId },
            { "iv of 17 bytes", V.EncryptedData, Convert.ToBase64String(new byte[17]), V.SessionKey, AppId },
            { "key and iv swapped", V.EncryptedData, V.SessionKey, V.Iv, AppId },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Decrypt_of_bad_input_throws_the_single_error(string label, string? encryptedData, string? iv, string? sessionKey, string? appId)
    {
        _ = label;
        AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(encryptedData!, iv!, sessionKey!, appId!));
        AssertSingleError(() => WeChatDataCrypto.DecryptJson(encryptedData!, iv!, sessionKey!, appId!));
        AssertSingleError(() => WeChatDataCrypto.DecryptPhoneNumber(encryptedData!, iv!, sessionKey!, appId!));
        AssertSingleError(() => WeChatDataCrypto.DecryptShareInfo(encryptedData!, iv!, sessionKey!, appId!));
    }

    [Fact]
    public void Decrypt_with_wrong_key_throws_the_single_error()
    {
        var wrongKey = TestKeys.NewSessionKey();

        AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(V.EncryptedData, V.Iv, wrongKey, AppId));
    }

    [Fact]
    public void Decrypt_with_a_flipped_byte_in_any_block_throws_the_single_error()
    {
        var cipher = Convert.FromBase64String(V.EncryptedData);
        for (var block = 0; block < cipher.Length / 16; block++)
        {
            foreach (var offset in new[] { 0, 7, 15 })
            {
                var tampered = (byte[])cipher.Clone();
                tampered[block * 16 + offset] ^= 0x5A;
                var data = Convert.ToBase64String(tampered);

                AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(data, V.Iv, V.SessionKey, AppId));
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x00 })] // pad byte 0
    [InlineData(new byte[] { 0x11 })] // pad byte 17 > block size
    [InlineData(new byte[] { 0x02, 0x03, 0x03 })] // inconsistent pad bytes
    [InlineData(new byte[] { 0x01, 0x02, 0x02, 0x04 })]
    public void Decrypt_with_bad_padding_throws_the_single_error(byte[] lastBytes)
    {
        var key = TestKeys.NewSessionKey();
        var iv = TestKeys.NewIv();
        var plaintext = Encoding.ASCII.GetBytes("""{"nickName":"n",""" + new string(' ', 16)); // two blocks
        lastBytes.CopyTo(plaintext.AsSpan(32 - lastBytes.Length));
        using var aes = Aes.Create();
        aes.Key = Convert.FromBase64String(key);
        var data = Convert.ToBase64String(aes.EncryptCbc(plaintext, Convert.FromBase64String(iv), PaddingMode.None));

        AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(data, iv, key, "wx1"));
        AssertSingleError(() => WeChatDataCrypto.DecryptJson(data, iv, key, "wx1"));
    }

    public static TheoryData<string, string> BadPlaintexts() => new()
    {
        { "not JSON", "hello, world" },
        { "empty", "" },
        { "whitespace", "   " },
        { "JSON array", """[{"nickName":"n","watermark":{"appid":"wx1"}}]""" },
        { "JSON string", "\"nickName\"" },
        { "JSON null", "null" },
        { "truncated object", """{"nickName":"n","watermark":{"appid":"wx1"}""" },
        { "trailing garbage", """{"nickName":"n","watermark":{"appid":"wx1"}} x""" },
        { "two objects", """{"nickName":"n","watermark":{"appid":"wx1"}}{}""" },
        { "comment", """{"nickName":"n",/* c */"watermark":{"appid":"wx1"}}""" },
        { "trailing comma", """{"nickName":"n","watermark":{"appid":"wx1"},}""" },
        { "single quotes", """{'nickName':'n','watermark':{'appid':'wx1'}}""" },
        { "no nickName", """{"openId":"o","watermark":{"appid":"wx1"}}""" },
        { "null nickName", """{"nickName":null,"watermark":{"appid":"wx1"}}""" },
        { "numeric nickName", """{"nickName":1,"watermark":{"appid":"wx1"}}""" },
        { "object nickName", """{"nickName":{},"watermark":{"appid":"wx1"}}""" },
        { "duplicate nickName", """{"nickName":"a","nickName":"b","watermark":{"appid":"wx1"}}""" },
        { "string gender", """{"nickName":"n","gender":"1","watermark":{"appid":"wx1"}}""" },
        { "fractional gender", """{"nickName":"n","gender":1.5,"watermark":{"appid":"wx1"}}""" },
        { "huge gender", """{"nickName":"n","gender":99999999999,"watermark":{"appid":"wx1"}}""" },
        { "boolean city", """{"nickName":"n","city":true,"watermark":{"appid":"wx1"}}""" },
        { "numeric openId", """{"nickName":"n","openId":5,"watermark":{"appid":"wx1"}}""" },
        { "no watermark", """{"nickName":"n"}""" },
        { "null watermark", """{"nickName":"n","watermark":null}""" },
        { "string watermark", """{"nickName":"n","watermark":"wx1"}""" },
        { "watermark without appid", """{"nickName":"n","watermark":{"timestamp":1}}""" },
        { "numeric appid", """{"nickName":"n","watermark":{"appid":1}}""" },
        { "string timestamp", """{"nickName":"n","watermark":{"appid":"wx1","timestamp":"1"}}""" },
        { "watermark of another app", """{"nickName":"n","watermark":{"appid":"wx2"}}""" },
        { "watermark app id in another case", """{"nickName":"n","watermark":{"appid":"WX1"}}""" },
        { "watermark nested too deep", """{"nickName":"n","x":{"watermark":{"appid":"wx1"}}}""" },
        { "duplicate watermark", """{"nickName":"n","watermark":{"appid":"wx1"},"watermark":{"appid":"wx2"}}""" },
        { "duplicate appid", """{"nickName":"n","watermark":{"appid":"wx2","appid":"wx1"}}""" },
        { "escaped lone surrogate", """{"nickName":"\ud800","watermark":{"appid":"wx1"}}""" },
        { "escaped lone surrogate as the first member name", """{"\ud800":"x","openId":"o","nickName":"a","watermark":{"appid":"wx1"}}""" },
        { "escaped lone low surrogate as a member name", """{"nickName":"a","\udfff":1,"watermark":{"appid":"wx1"}}""" },
        { "escaped lone surrogate as a watermark member name", """{"nickName":"a","watermark":{"\ud800":1,"appid":"wx1"}}""" },
        { "watermark app id null", """{"nickName":"n","watermark":{"appid":null}}""" },
        { "watermark app id a number", """{"nickName":"n","watermark":{"appid":1}}""" },
        { "watermark app id a prefix", """{"nickName":"n","watermark":{"appid":"wx"}}""" },
        { "watermark app id longer", """{"nickName":"n","watermark":{"appid":"wx12"}}""" },
        { "deep nesting", """{"nickName":"n","x":""" + new string('[', 100) + new string(']', 100) + ""","watermark":{"appid":"wx1"}}""" },
    };

    [Theory]
    [MemberData(nameof(BadPlaintexts))]
    public void DecryptUserInfo_of_bad_plaintext_throws_the_single_error(string label, string plaintext)
    {
        _ = label;
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        var data = WeChatDataCrypto.Encrypt(Encoding.UTF8.GetBytes(plaintext), key, iv);

        AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(data, iv, key, "wx1"));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC0, 0xAF })] // overlong '/'
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // encoded surrogate
    [InlineData(new byte[] { 0xE5, 0xB9 })] // truncated 广
    public void Decrypt_of_invalid_utf8_throws_the_single_error(byte[] invalid)
    {
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        byte[] plaintext = [.. """{"nickName":" """u8[..^1], .. invalid, .. "\",\"watermark\":{\"appid\":\"wx1\"}}"u8];
        var data = WeChatDataCrypto.Encrypt(plaintext, key, iv);

        AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(data, iv, key, "wx1"));
        AssertSingleError(() => WeChatDataCrypto.DecryptJson(data, iv, key, "wx1"));
    }

    [Theory]
    [InlineData("""{"watermark":{"appid":"wx2"}}""")]
    [InlineData("""{"phoneNumber":"1"}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"a":1,"watermark":{"appid":"wx1"}""")]
    public void DecryptJson_requires_an_object_with_this_apps_watermark(string plaintext)
    {
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        var data = WeChatDataCrypto.Encrypt(Encoding.UTF8.GetBytes(plaintext), key, iv);

        AssertSingleError(() => WeChatDataCrypto.DecryptJson(data, iv, key, "wx1"));
    }

    [Fact]
    public void DecryptJson_accepts_any_object_with_this_apps_watermark()
    {
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        const string plaintext = """{"stepInfoList":[{"timestamp":1,"step":100}],"watermark":{"appid":"wx1","timestamp":2}}""";
        var data = WeChatDataCrypto.Encrypt(Encoding.UTF8.GetBytes(plaintext), key, iv);

        Assert.Equal(plaintext, WeChatDataCrypto.DecryptJson(data, iv, key, "wx1"));
    }

    [Fact]
    public void DecryptUserInfo_compares_an_escaped_watermark_app_id_by_its_value()
    {
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        var data = WeChatDataCrypto.Encrypt("""{"nickName":"n","watermark":{"appid":"w\u00781","timestamp":3}}"""u8, key, iv);

        var info = WeChatDataCrypto.DecryptUserInfo(data, iv, key, "wx1");

        Assert.Equal(new WeChatWatermark("wx1", 3), info.Watermark);
    }

    [Fact]
    public void DecryptUserInfo_never_matches_an_escaped_lone_surrogate_app_id()
    {
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        var data = WeChatDataCrypto.Encrypt("""{"nickName":"n","watermark":{"appid":"\ud800"}}"""u8, key, iv);

        AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(data, iv, key, "\ud800"));
        AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(data, iv, key, "\ufffd"));
    }

    [Fact]
    public void DecryptUserInfo_ignores_unknown_members_and_treats_null_as_absent()
    {
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        const string plaintext = """{"nickName":"n","is_demote":true,"extra":{"a":[1,{"b":null}]},"city":null,"gender":null,"watermark":{"appid":"wx1","timestamp":null,"more":1}}""";
        var data = WeChatDataCrypto.Encrypt(Encoding.UTF8.GetBytes(plaintext), key, iv);

        var info = WeChatDataCrypto.DecryptUserInfo(data, iv, key, "wx1");

        Assert.Equal(new WeChatUserInfo("", "n", 0, "", "", "", "", "", "", new WeChatWatermark("wx1", 0)), info);
    }

    [Fact]
    public void Encrypt_with_a_key_or_iv_that_is_not_16_bytes_throws_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => WeChatDataCrypto.Encrypt("{}"u8, Convert.ToBase64String(new byte[15]), V.Iv));
        Assert.Throws<ArgumentException>(() => WeChatDataCrypto.Encrypt("{}"u8, V.SessionKey, "not base64"));
    }
}
