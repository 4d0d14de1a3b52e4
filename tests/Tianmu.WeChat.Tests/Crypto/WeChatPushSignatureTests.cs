using Tianmu.WeChat.Crypto;

namespace Tianmu.WeChat.Tests.Crypto;

/// <summary>The push signatures against the sha1sum vectors.</summary>
public sealed class WeChatPushSignatureTests
{
    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Compute_of_token_timestamp_nonce_and_encrypt_is_the_vectors_msg_signature(string name)
    {
        var v = PushVectors.Load(name);

        Assert.Equal(v.MsgSignature, WeChatPushSignature.Compute(v.Token, v.Timestamp, v.Nonce, v.Encrypt));
        Assert.Equal(v.MsgSignature, WeChatPushSignature.Compute(v.Encrypt, v.Nonce, v.Timestamp, v.Token));
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Compute_of_token_timestamp_and_nonce_is_the_vectors_url_check_signature(string name)
    {
        var v = PushVectors.Load(name);

        Assert.Equal(v.Signature, WeChatPushSignature.Compute(v.Token, v.Timestamp, v.Nonce));
    }

    [Fact]
    public void Compute_sorts_ordinally_not_culturally()
    {
        // Ordinal: "B" (0x42) < "a" (0x61); a culture-aware sort would put "a" first.
        Assert.Equal(WeChatPushSignature.Compute("Ba"), WeChatPushSignature.Compute("a", "B"));
        Assert.NotEqual(WeChatPushSignature.Compute("aB"), WeChatPushSignature.Compute("a", "B"));
    }

    [Fact]
    public void Compute_is_the_known_sha1_of_the_joined_strings()
    {
        // sha1("abc") = a9993e36…
        Assert.Equal("a9993e364706816aba3e25717850c26c9cd0d89d", WeChatPushSignature.Compute("c", "a", "b"));
    }

    [Fact]
    public void Verify_accepts_the_signature_in_either_case()
    {
        var v = PushVectors.Revoke;

        Assert.True(WeChatPushSignature.Verify(v.MsgSignature, v.Token, v.Timestamp, v.Nonce, v.Encrypt));
        Assert.True(WeChatPushSignature.Verify(v.MsgSignature.ToUpperInvariant(), v.Token, v.Timestamp, v.Nonce, v.Encrypt));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("0000000000000000000000000000000000000000")]
    [InlineData("a9993e364706816aba3e25717850c26c9cd0d89")]
    [InlineData("a9993e364706816aba3e25717850c26c9cd0d89d0")]
    [InlineData("g9993e364706816aba3e25717850c26c9cd0d89d")]
    public void Verify_refuses_a_wrong_or_malformed_signature_without_throwing(string? signature)
    {
        var v = PushVectors.Revoke;

        Assert.False(WeChatPushSignature.Verify(signature, v.Token, v.Timestamp, v.Nonce, v.Encrypt));
    }

    [Fact]
    public void Verify_refuses_when_any_signed_value_changes()
    {
        var v = PushVectors.Revoke;

        Assert.False(WeChatPushSignature.Verify(v.MsgSignature, v.Token, v.Timestamp, v.Nonce, v.Encrypt + "A"));
        Assert.False(WeChatPushSignature.Verify(v.MsgSignature, v.Token, v.Timestamp + "1", v.Nonce, v.Encrypt));
        Assert.False(WeChatPushSignature.Verify(v.MsgSignature, "other", v.Timestamp, v.Nonce, v.Encrypt));
        Assert.False(WeChatPushSignature.Verify(v.MsgSignature, v.Token, v.Timestamp, v.Nonce));
        Assert.False(WeChatPushSignature.Verify(v.MsgSignature, v.Token, null!, v.Nonce, v.Encrypt));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("ab", false)]
    [InlineData("abc", true)]
    [InlineData("Tianmu2026", true)]
    [InlineData("0123456789abcdef0123456789ABCDEF", true)]
    [InlineData("0123456789abcdef0123456789ABCDEFx", false)]
    [InlineData("tok en", false)]
    [InlineData("token-1", false)]
    [InlineData("令牌令牌", false)]
    public void IsValidToken_takes_3_to_32_ascii_letters_or_digits(string? token, bool valid) =>
        Assert.Equal(valid, WeChatPushSignature.IsValidToken(token));

    public static TheoryData<string> VectorNames => PushVectors.Names;
}
