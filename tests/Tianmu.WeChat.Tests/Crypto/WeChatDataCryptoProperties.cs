using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FsCheck;
using FsCheck.Xunit;
using Tianmu.WeChat.Crypto;

namespace Tianmu.WeChat.Tests.Crypto;

/// <summary>Properties over arbitrary input; each runs a bounded number of cases so the suite stays fast.</summary>
public sealed class WeChatDataCryptoProperties
{
    private const int Cases = 300;

    [Property(MaxTest = Cases)]
    public void Decrypt_of_arbitrary_strings_throws_only_the_single_error(string encryptedData, string iv, string sessionKey, string appId) =>
        AssertFailsOnlyWithTheSingleError(encryptedData, iv, sessionKey, appId);

    [Property(MaxTest = Cases)]
    public void Decrypt_of_arbitrary_base64_throws_only_the_single_error(byte[] data, byte[] iv, byte[] key) =>
        AssertFailsOnlyWithTheSingleError(
            Convert.ToBase64String(data ?? []), Convert.ToBase64String(iv ?? []), Convert.ToBase64String(key ?? []), "wx1");

    [Property(MaxTest = Cases)]
    public void Decrypt_of_arbitrary_whole_blocks_with_a_valid_key_throws_only_the_single_error(byte[] data, byte[] iv, byte[] key)
    {
        // Right lengths, so the bytes reach the padding, UTF-8 and JSON checks.
        var blocks = Fit(data, Math.Max(16, (data?.Length ?? 0) / 16 * 16));
        AssertFailsOnlyWithTheSingleError(
            Convert.ToBase64String(blocks), Convert.ToBase64String(Fit(iv, 16)), Convert.ToBase64String(Fit(key, 16)), "wx1");
    }

    [Property(MaxTest = Cases)]
    public void Decrypt_of_an_arbitrary_sealed_plaintext_succeeds_or_throws_only_the_single_error(byte[] plaintext)
    {
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        var data = WeChatDataCrypto.Encrypt(plaintext ?? [], key, iv);

        AssertSucceedsOrFailsWithTheSingleError(data, iv, key, "wx1");
    }

    [Property(MaxTest = Cases)]
    public void Decrypt_of_json_with_an_arbitrary_fragment_succeeds_or_throws_only_the_single_error(string fragment, bool asNickName)
    {
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        var json = asNickName
            ? "{\"nickName\":" + fragment + ",\"watermark\":{\"appid\":\"wx1\"}}"
            : "{\"nickName\":\"n\",\"watermark\":{\"appid\":\"wx1\"" + fragment + "}}";
        var data = WeChatDataCrypto.Encrypt(Encoding.UTF8.GetBytes(json), key, iv);

        AssertSucceedsOrFailsWithTheSingleError(data, iv, key, "wx1");
    }

    [Property(MaxTest = Cases)]
    public void Encrypt_then_DecryptUserInfo_round_trips_arbitrary_user_info(
        UnicodeString openId, UnicodeString nickName, int gender, UnicodeString language, UnicodeString city,
        UnicodeString province, UnicodeString country, UnicodeString avatarUrl, UnicodeString unionId,
        NonEmptyString appId, long timestamp, bool escapeNonAscii)
    {
        var expected = new WeChatUserInfo(
            Valid(openId.Get) ?? "",
            Valid(nickName.Get) ?? "",
            gender,
            Valid(language.Get) ?? "",
            Valid(city.Get) ?? "",
            Valid(province.Get) ?? "",
            Valid(country.Get) ?? "",
            Valid(avatarUrl.Get) ?? "",
            Valid(unionId.Get) ?? "",
            new WeChatWatermark(Valid(appId.Get)!, timestamp));
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());

        var data = WeChatDataCrypto.Encrypt(UserInfoJson(expected, escapeNonAscii), key, iv);
        var actual = WeChatDataCrypto.DecryptUserInfo(data, iv, key, expected.Watermark.AppId);

        Assert.Equal(expected, actual);
    }

    [Property(MaxTest = Cases)]
    public void VerifySignature_accepts_ComputeSignature_and_refuses_a_one_character_change(
        UnicodeString rawData, byte[] key, NonNegativeInt position, bool upperCase)
    {
        var raw = rawData.Get ?? "";
        var sessionKey = Convert.ToBase64String(Fit(key, 16));
        var signature = WeChatDataCrypto.ComputeSignature(raw, sessionKey);

        Assert.Matches("^[0-9a-f]{40}$", signature);
        Assert.True(WeChatDataCrypto.VerifySignature(raw, sessionKey, upperCase ? signature.ToUpperInvariant() : signature));

        var i = position.Get % signature.Length;
        var changed = string.Concat(signature.AsSpan(0, i), signature[i] == '0' ? "1" : "0", signature.AsSpan(i + 1));
        Assert.False(WeChatDataCrypto.VerifySignature(raw, sessionKey, changed));
        Assert.False(WeChatDataCrypto.VerifySignature(raw + "x", sessionKey, signature));
    }

    [Property(MaxTest = 2000)]
    public void The_fast_base64_decoder_accepts_and_decodes_exactly_what_Convert_does(int seed)
    {
        // Valid base64 of random bytes with up to three random edits: whitespace, padding in odd places, URL-safe and
        // non-ASCII characters, non-zero unused bits in the last character, dropped and replaced characters.
        var random = new Random(seed);
        var bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        var text = new StringBuilder(Convert.ToBase64String(bytes));
        char[] specials = [' ', '\t', '\r', '\n', '\f', '=', '-', '_', 'é', '\0', '\u00a0', '+', '/'];
        for (var edits = random.Next(0, 4); edits > 0; edits--)
        {
            var position = random.Next(0, text.Length + 1);
            var last = Math.Min(position, text.Length - 1);
            switch (random.Next(4))
            {
                case 0: text.Insert(position, specials[random.Next(specials.Length)]); break;
                case 1 when text.Length > 0: text.Remove(last, 1); break;
                case 2 when text.Length > 0: text[last] = (char)random.Next(32, 127); break;
                case 3 when text.Length > 0: text[last] = specials[random.Next(specials.Length)]; break;
                default: break;
            }
        }

        var base64 = text.ToString();
        var expected = new byte[base64.Length];
        var actual = new byte[base64.Length];
        var expectedOk = Convert.TryFromBase64Chars(base64, expected, out var expectedLength);
        var actualOk = WeChatDataCrypto.TryDecodeBase64(base64, new byte[base64.Length], actual, out var actualLength);

        Assert.Equal(expectedOk, actualOk);
        if (expectedOk)
        {
            Assert.Equal(expected[..expectedLength], actual[..actualLength]);
        }
    }

    private static byte[] UserInfoJson(WeChatUserInfo info, bool escapeNonAscii)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Encoder = escapeNonAscii ? JavaScriptEncoder.Default : JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            writer.WriteStartObject();
            WriteOptional(writer, "openId", info.OpenId);
            writer.WriteString("nickName", info.NickName);
            if (info.Gender != 0)
            {
                writer.WriteNumber("gender", info.Gender);
            }

            WriteOptional(writer, "language", info.Language);
            WriteOptional(writer, "city", info.City);
            WriteOptional(writer, "province", info.Province);
            WriteOptional(writer, "country", info.Country);
            WriteOptional(writer, "avatarUrl", info.AvatarUrl);
            WriteOptional(writer, "unionId", info.UnionId);
            writer.WriteStartObject("watermark");
            writer.WriteNumber("timestamp", info.Watermark.Timestamp);
            writer.WriteString("appid", info.Watermark.AppId);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Empty values are written as absent, as null or as "" in turn: all three must read as "".</summary>
    private static void WriteOptional(Utf8JsonWriter writer, string name, string value)
    {
        if (value.Length > 0)
        {
            writer.WriteString(name, value);
        }
        else if (name.Length % 3 == 0)
        {
            writer.WriteNull(name);
        }
        else if (name.Length % 3 == 1)
        {
            writer.WriteString(name, "");
        }
    }

    /// <summary>The string as it survives UTF-8 (lone surrogates become U+FFFD), as WeChat's data would.</summary>
    private static string? Valid(string? value) => value is null ? null : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value));

    private static byte[] Fit(byte[]? bytes, int length)
    {
        var result = new byte[length];
        (bytes ?? []).AsSpan(0, Math.Min(length, bytes?.Length ?? 0)).CopyTo(result);
        return result;
    }

    private static void AssertFailsOnlyWithTheSingleError(string encryptedData, string iv, string sessionKey, string appId)
    {
        WeChatDataCryptoVectorTests.AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(encryptedData, iv, sessionKey, appId));
        WeChatDataCryptoVectorTests.AssertSingleError(() => WeChatDataCrypto.DecryptPhoneNumber(encryptedData, iv, sessionKey, appId));
        WeChatDataCryptoVectorTests.AssertSingleError(() => WeChatDataCrypto.DecryptShareInfo(encryptedData, iv, sessionKey, appId));
        WeChatDataCryptoVectorTests.AssertSingleError(() => WeChatDataCrypto.DecryptJson(encryptedData, iv, sessionKey, appId));
    }

    private static void AssertSucceedsOrFailsWithTheSingleError(string encryptedData, string iv, string sessionKey, string appId)
    {
        Action[] decrypts =
        [
            () => WeChatDataCrypto.DecryptUserInfo(encryptedData, iv, sessionKey, appId),
            () => WeChatDataCrypto.DecryptPhoneNumber(encryptedData, iv, sessionKey, appId),
            () => WeChatDataCrypto.DecryptShareInfo(encryptedData, iv, sessionKey, appId),
            () => WeChatDataCrypto.DecryptJson(encryptedData, iv, sessionKey, appId),
        ];
        foreach (var decrypt in decrypts)
        {
            try
            {
                decrypt();
            }
            catch (WeChatDecryptionException exception)
            {
                Assert.Equal(WeChatDecryptionException.StandardMessage, exception.Message);
                Assert.Null(exception.InnerException);
            }
        }
    }
}
