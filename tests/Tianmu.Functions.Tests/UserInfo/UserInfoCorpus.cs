using System.Security.Cryptography;
using System.Text;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.UserInfo;
using Tianmu.Testing;
using Tianmu.WeChat.Crypto;

namespace Tianmu.Functions.Tests.UserInfo;

/// <summary>
/// The property behind issue 13's failures 1–3, without a host: for any plaintext a client can have sealed with its
/// own key (random bytes, mutated genuine JSON, a genuine payload under a flipped iv), opening it either gives user info
/// that fits storage and names the user, or throws 422 <c>decrypt_failed</c>; never another exception.
/// </summary>
public sealed class UserInfoCorpus
{
    private const int Cases = 10_000;

    [Fact]
    public void Ten_thousand_random_plaintexts_sealed_with_a_real_key_open_to_storable_info_or_decrypt_failed()
    {
        var random = new Random(20261130);
        var profile = new ProfileEntity { AppId = TestHost.AppId, OpenId = WeChatStandIn.OpenIdOf("corpus"), SessionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)) };
        var genuine = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(UserInfoHardeningTests.Genuine("corpus")));
        var opened = 0;
        for (var run = 0; run < Cases; run++)
        {
            var ivBytes = RandomNumberGenerator.GetBytes(16);
            var plaintext = (run % 4) switch
            {
                0 => RandomBytes(random),
                1 or 2 => Mutate(genuine, random),
                _ => genuine,
            };
            var data = WeChatDataCrypto.Encrypt(plaintext, profile.SessionKey, Convert.ToBase64String(ivBytes));
            if (run % 4 == 3)
            {
                ivBytes[random.Next(16)] ^= (byte)(1 << random.Next(8));
            }

            var request = new UpdateUserInfoRequest { EncryptedData = data, Iv = Convert.ToBase64String(ivBytes) };
            try
            {
                var info = UserInfoService.Open(profile, data, request.Iv, request);
                Assert.True(ProfileRules.FitsStorage(info));
                Assert.Equal(profile.OpenId, info.OpenId);
                opened++;
            }
            catch (ApiException exception)
            {
                Assert.Equal(ApiErrorCode.DecryptFailed, exception.Code);
            }
        }

        Assert.InRange(opened, 1, Cases - 1);
    }

    /// <summary>A JSON text with up to four random edits: bytes, escapes, deep nesting, long strings, odd numbers, names.</summary>
    internal static byte[] Mutate(byte[] json, Random random)
    {
        var text = new StringBuilder(Encoding.UTF8.GetString(json));
        string[] inserts =
        [
            "\\ud800", "\\udfff", "\\u0000", "\\\"", "\"", "\\", "{", "}", "[", "]", ",", ":", "1e400", "-0", "99999999999999999999",
            "null", "true", new string('[', 40), new string('x', 3000), "\"unionId\":\"u\",", "\"openId\":\"other\",", "\u00e9", "\ud83d\ude00",
            "\"nickName\":\"" + new string('n', 200) + "\",", "\"\\ud800\":1,",
        ];
        for (var edits = random.Next(1, 5); edits > 0; edits--)
        {
            var position = random.Next(0, text.Length + 1);
            switch (random.Next(3))
            {
                case 0: text.Insert(position, inserts[random.Next(inserts.Length)]); break;
                case 1 when text.Length > 0: text.Remove(Math.Min(position, text.Length - 1), 1); break;
                default: text.Insert(position, (char)random.Next(0x20, 0x7f)); break;
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        return bytes;
    }
}
