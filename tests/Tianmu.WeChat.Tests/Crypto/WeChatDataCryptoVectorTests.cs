using System.Text;
using Tianmu.WeChat.Crypto;

namespace Tianmu.WeChat.Tests.Crypto;

/// <summary>Decryption and signatures against vectors made by OpenSSL and sha1sum, not by this library.</summary>
public sealed class WeChatDataCryptoVectorTests
{
    [Fact]
    public void DecryptUserInfo_of_an_openssl_vector_returns_every_field()
    {
        var v = TestVectors.UserInfo;

        var info = WeChatDataCrypto.DecryptUserInfo(v.EncryptedData, v.Iv, v.SessionKey, v.AppId);

        Assert.Equal(
            new WeChatUserInfo(
                "oGZUI0egBJY1zhBYw2KhdUfwVJJE",
                "小明同学",
                1,
                "zh_CN",
                "广州",
                "广东",
                "中国",
                "https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTKXg6ibHkFicGmYxb8tB2pRSfQxVhy2ibF/132",
                "ocMvos6NjeKLIBqg5Mr9QjxrP1FA",
                new WeChatWatermark("wx4f4bc4dec97d474b", 1712345678)),
            info);
    }

    [Fact]
    public void DecryptUserInfo_of_anonymous_data_gives_empty_strings_for_missing_members()
    {
        var v = TestVectors.AnonymousUserInfo;

        var info = WeChatDataCrypto.DecryptUserInfo(v.EncryptedData, v.Iv, v.SessionKey, v.AppId);

        Assert.Equal("微信用户", info.NickName);
        Assert.Equal("", info.OpenId);
        Assert.Equal("", info.UnionId);
        Assert.Equal("", info.City);
        Assert.Equal(0, info.Gender);
        Assert.StartsWith("https://thirdwx.qlogo.cn/", info.AvatarUrl, StringComparison.Ordinal);
    }

    [Fact]
    public void DecryptUserInfo_without_gender_gives_gender_0()
    {
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        var data = WeChatDataCrypto.Encrypt("""{"nickName":"n","watermark":{"appid":"wx1"}}"""u8, key, iv);

        var info = WeChatDataCrypto.DecryptUserInfo(data, iv, key, "wx1");

        Assert.Equal(0, info.Gender);
        Assert.Equal(new WeChatWatermark("wx1", 0), info.Watermark);
    }

    [Fact]
    public void DecryptPhoneNumber_of_an_openssl_vector_returns_the_numbers()
    {
        var v = TestVectors.Phone;

        var phone = WeChatDataCrypto.DecryptPhoneNumber(v.EncryptedData, v.Iv, v.SessionKey, v.AppId);

        Assert.Equal(
            new WeChatPhoneNumber("+86 13800138000", "13800138000", "86", new WeChatWatermark("wx4f4bc4dec97d474b", 1712345680)),
            phone);
    }

    [Fact]
    public void DecryptShareInfo_of_an_openssl_vector_returns_the_group_id()
    {
        var v = TestVectors.Share;

        var share = WeChatDataCrypto.DecryptShareInfo(v.EncryptedData, v.Iv, v.SessionKey, v.AppId);

        Assert.Equal(new WeChatShareInfo("tG-1W4-j9dA8Kzx0TlV5h3B9Yx1c", new WeChatWatermark("wx4f4bc4dec97d474b", 1712345681)), share);
    }

    [Theory]
    [InlineData("userinfo")]
    [InlineData("userinfo-anonymous")]
    [InlineData("phone")]
    [InlineData("share")]
    public void DecryptJson_returns_the_plaintext_exactly(string name)
    {
        var v = VectorNamed(name);

        Assert.Equal(v.Plaintext, WeChatDataCrypto.DecryptJson(v.EncryptedData, v.Iv, v.SessionKey, v.AppId));
    }

    [Theory]
    [InlineData("userinfo")]
    [InlineData("userinfo-anonymous")]
    [InlineData("phone")]
    [InlineData("share")]
    public void Encrypt_gives_the_same_ciphertext_as_openssl(string name)
    {
        var v = VectorNamed(name);

        Assert.Equal(v.EncryptedData, WeChatDataCrypto.Encrypt(Encoding.UTF8.GetBytes(v.Plaintext), v.SessionKey, v.Iv));
    }

    [Fact]
    public void Encrypt_then_DecryptUserInfo_round_trips()
    {
        var (key, iv) = (TestKeys.NewSessionKey(), TestKeys.NewIv());
        var plaintext = Encoding.UTF8.GetBytes(TestVectors.UserInfo.Plaintext);

        var data = WeChatDataCrypto.Encrypt(plaintext, key, iv);
        var info = WeChatDataCrypto.DecryptUserInfo(data, iv, key, "wx4f4bc4dec97d474b");

        Assert.Equal("小明同学", info.NickName);
        Assert.Equal("广州", info.City);
    }

    [Fact]
    public void DecryptUserInfo_of_a_phone_payload_throws_the_single_error()
    {
        var v = TestVectors.Phone;

        AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(v.EncryptedData, v.Iv, v.SessionKey, v.AppId));
    }

    [Fact]
    public void DecryptUserInfo_of_a_share_payload_throws_the_single_error()
    {
        var v = TestVectors.Share;

        AssertSingleError(() => WeChatDataCrypto.DecryptUserInfo(v.EncryptedData, v.Iv, v.SessionKey, v.AppId));
    }

    [Fact]
    public void DecryptPhoneNumber_and_DecryptShareInfo_of_user_info_throw_the_single_error()
    {
        var v = TestVectors.UserInfo;

        AssertSingleError(() => WeChatDataCrypto.DecryptPhoneNumber(v.EncryptedData, v.Iv, v.SessionKey, v.AppId));
        AssertSingleError(() => WeChatDataCrypto.DecryptShareInfo(v.EncryptedData, v.Iv, v.SessionKey, v.AppId));
    }

    [Fact]
    public void ComputeSignature_matches_sha1sum()
    {
        var v = TestVectors.Signature;

        Assert.Equal(v.Signature, WeChatDataCrypto.ComputeSignature(v.RawData, v.SessionKey));
    }

    [Fact]
    public void VerifySignature_accepts_the_sha1sum_signature_in_either_case()
    {
        var v = TestVectors.Signature;

        Assert.True(WeChatDataCrypto.VerifySignature(v.RawData, v.SessionKey, v.Signature));
        Assert.True(WeChatDataCrypto.VerifySignature(v.RawData, v.SessionKey, v.Signature.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10aa9719ca0bac0a94bac1eb63ee4850d7775af")] // 39 digits
    [InlineData("10aa9719ca0bac0a94bac1eb63ee4850d7775afc0")] // 41 digits
    [InlineData("10aa9719ca0bac0a94bac1eb63ee4850d7775afg")] // not hex
    [InlineData(" 10aa9719ca0bac0a94bac1eb63ee4850d7775af")]
    [InlineData("00aa9719ca0bac0a94bac1eb63ee4850d7775afc")] // one digit changed
    [InlineData(null)]
    public void VerifySignature_of_a_wrong_or_malformed_signature_returns_false(string? signature)
    {
        var v = TestVectors.Signature;

        Assert.False(WeChatDataCrypto.VerifySignature(v.RawData, v.SessionKey, signature!));
    }

    [Fact]
    public void VerifySignature_with_another_session_key_or_changed_raw_data_returns_false()
    {
        var v = TestVectors.Signature;

        Assert.False(WeChatDataCrypto.VerifySignature(v.RawData, TestVectors.Phone.SessionKey, v.Signature));
        Assert.False(WeChatDataCrypto.VerifySignature(v.RawData + " ", v.SessionKey, v.Signature));
        Assert.False(WeChatDataCrypto.VerifySignature(null!, v.SessionKey, v.Signature));
        Assert.False(WeChatDataCrypto.VerifySignature(v.RawData, null!, v.Signature));
    }

    [Fact]
    public void ComputeSignature_of_long_raw_data_matches_a_reference_hash()
    {
        var raw = string.Concat(Enumerable.Repeat("广州abc", 500));
        var key = TestVectors.Signature.SessionKey;
#pragma warning disable CA5350 // WeChat's protocol uses SHA-1.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(raw + key)));
#pragma warning restore CA5350

        Assert.Equal(expected, WeChatDataCrypto.ComputeSignature(raw, key));
    }

    private static EncryptionVector VectorNamed(string name) => name switch
    {
        "userinfo" => TestVectors.UserInfo,
        "userinfo-anonymous" => TestVectors.AnonymousUserInfo,
        "phone" => TestVectors.Phone,
        "share" => TestVectors.Share,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    internal static void AssertSingleError(Action decrypt)
    {
        var exception = Assert.Throws<WeChatDecryptionException>(decrypt);
        Assert.Equal(WeChatDecryptionException.StandardMessage, exception.Message);
        Assert.Null(exception.InnerException);
    }
}
