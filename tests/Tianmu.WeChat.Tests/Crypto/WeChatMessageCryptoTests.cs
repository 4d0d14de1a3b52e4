using System.Text;
using Tianmu.WeChat.Crypto;

namespace Tianmu.WeChat.Tests.Crypto;

/// <summary>Message push, safe mode: the OpenSSL vectors, round trips, and every kind of malformed envelope.</summary>
public sealed class WeChatMessageCryptoTests
{
    private static readonly PushVector Vector = PushVectors.Revoke;

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Decrypt_of_an_openssl_vector_gives_its_message(string name)
    {
        var vector = PushVectors.Load(name);

        Assert.Equal(vector.Message, WeChatMessageCrypto.Decrypt(vector.Encrypt, vector.EncodingAesKey, vector.AppId));
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void The_vectors_key_is_the_base64_of_the_encoding_aes_key_and_the_iv_its_first_16_bytes(string name)
    {
        var vector = PushVectors.Load(name);

        Assert.Equal(vector.KeyHex, Convert.ToHexStringLower(Convert.FromBase64String(vector.EncodingAesKey + "=")));
        Assert.Equal(vector.KeyHex[..32], vector.IvHex);
        Assert.True(WeChatMessageCrypto.IsValidEncodingAesKey(vector.EncodingAesKey));
    }

    [Fact]
    public void The_full_block_vector_is_padded_with_a_whole_block_of_32()
    {
        Assert.EndsWith(string.Concat(Enumerable.Repeat("20", 32)), PushVectors.FullBlock.PlaintextHex, StringComparison.Ordinal);
        Assert.Equal(PushVectors.FullBlock.Message, WeChatMessageCrypto.Decrypt(
            PushVectors.FullBlock.Encrypt, PushVectors.FullBlock.EncodingAesKey, PushVectors.FullBlock.AppId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"Event\":\"user_info_modified\",\"nick\":\"微信用户 🎮\"}")]
    public void Encrypt_then_Decrypt_gives_the_message_back(string message)
    {
        var encrypted = WeChatMessageCrypto.Encrypt(message, Vector.EncodingAesKey, Vector.AppId);

        Assert.Equal(message, WeChatMessageCrypto.Decrypt(encrypted, Vector.EncodingAesKey, Vector.AppId));
    }

    [Fact]
    public void Encrypt_pads_to_a_multiple_of_32_with_a_random_prefix()
    {
        var first = WeChatMessageCrypto.Encrypt(Vector.Message, Vector.EncodingAesKey, Vector.AppId);
        var second = WeChatMessageCrypto.Encrypt(Vector.Message, Vector.EncodingAesKey, Vector.AppId);

        Assert.NotEqual(first, second);
        Assert.Equal(0, Convert.FromBase64String(first).Length % 32);
        Assert.Equal(Convert.FromBase64String(Vector.Encrypt).Length, Convert.FromBase64String(first).Length);
    }

    [Fact]
    public void Encrypt_refuses_an_invalid_key_with_an_argument_exception()
    {
        Assert.Throws<ArgumentException>(() => WeChatMessageCrypto.Encrypt("{}", Vector.EncodingAesKey[..42], Vector.AppId));
        Assert.Throws<ArgumentException>(() => WeChatMessageCrypto.Encrypt("{}", Vector.EncodingAesKey, ""));
    }

    [Fact]
    public void Decrypt_for_another_app_id_fails()
    {
        AssertFails(Vector.Encrypt, Vector.EncodingAesKey, "wx0000000000000000");
        AssertFails(Vector.Encrypt, Vector.EncodingAesKey, Vector.AppId.ToUpperInvariant());
        AssertFails(Vector.Encrypt, Vector.EncodingAesKey, Vector.AppId[..^1]);
        AssertFails(Vector.Encrypt, Vector.EncodingAesKey, Vector.AppId + "0");
    }

    [Fact]
    public void Decrypt_with_another_key_fails()
    {
        var otherKey = Convert.ToBase64String(new byte[32])[..43];

        AssertFails(Vector.Encrypt, otherKey, Vector.AppId);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("QUJD")] // 3 bytes
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 24 bytes: not whole blocks
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")] // 16 bytes: one block, not a multiple of 32
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 48 bytes: three blocks
    [InlineData("====")]
    [InlineData("")]
    public void Decrypt_of_bad_base64_or_a_ciphertext_of_the_wrong_length_fails(string encrypt) =>
        AssertFails(encrypt, Vector.EncodingAesKey, Vector.AppId);

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 42 characters
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 44 characters
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!")] // not base64
    public void Decrypt_with_a_malformed_encoding_aes_key_fails(string encodingAesKey) =>
        AssertFails(Vector.Encrypt, encodingAesKey, Vector.AppId);

    [Fact]
    public void Decrypt_of_null_arguments_fails_with_the_one_exception()
    {
        AssertFails(null!, Vector.EncodingAesKey, Vector.AppId);
        AssertFails(Vector.Encrypt, null!, Vector.AppId);
        AssertFails(Vector.Encrypt, Vector.EncodingAesKey, null!);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    [InlineData(255)]
    public void Decrypt_with_a_pad_value_outside_1_to_32_fails(byte padValue)
    {
        var plain = PushVectors.Pad32(PushVectors.Content("{}"u8.ToArray(), Vector.AppId));
        plain.AsSpan(plain.Length - plain[^1]).Fill(padValue);

        AssertFails(PushVectors.Seal(Vector, plain), Vector.EncodingAesKey, Vector.AppId);
    }

    [Fact]
    public void Decrypt_with_pad_bytes_that_differ_fails()
    {
        var plain = PushVectors.Pad32(PushVectors.Content("{}"u8.ToArray(), Vector.AppId));
        Assert.True(plain[^1] > 1);
        plain[^plain[^1]] ^= 1; // the first pad byte

        AssertFails(PushVectors.Seal(Vector, plain), Vector.EncodingAesKey, Vector.AppId);
    }

    [Fact]
    public void Decrypt_of_padding_to_16_instead_of_32_fails()
    {
        // 38 bytes of content: PKCS#7 to 16 gives 10 bytes of 0x0a (48 in all), self-consistent but not a multiple of 32.
        var content = PushVectors.Content([], Vector.AppId);
        byte[] plain = [.. content, .. Enumerable.Repeat((byte)10, 10)];

        AssertFails(PushVectors.Seal(Vector, plain), Vector.EncodingAesKey, Vector.AppId);
    }

    [Fact]
    public void Decrypt_of_padding_only_fails()
    {
        var plain = Enumerable.Repeat((byte)32, 32).ToArray(); // a whole block of padding: nothing left for the header

        AssertFails(PushVectors.Seal(Vector, plain), Vector.EncodingAesKey, Vector.AppId);
    }

    [Theory]
    [InlineData(3u)] // message "{}" plus one app id byte
    [InlineData(1000u)]
    [InlineData(uint.MaxValue)]
    [InlineData(0x8000_0000u)]
    public void Decrypt_with_a_length_field_past_the_end_or_into_the_app_id_fails(uint declared)
    {
        var plain = PushVectors.Pad32(PushVectors.Content("{}"u8.ToArray(), Vector.AppId, declared));

        AssertFails(PushVectors.Seal(Vector, plain), Vector.EncodingAesKey, Vector.AppId);
    }

    [Fact]
    public void Decrypt_with_padding_that_eats_into_the_header_fails()
    {
        // 32 bytes: 16 random, 4 of length, then 12 bytes of 0x0c padding: what is left is shorter than the header.
        byte[] plain = [.. new byte[20], .. Enumerable.Repeat((byte)12, 12)];

        AssertFails(PushVectors.Seal(Vector, plain), Vector.EncodingAesKey, Vector.AppId);
    }

    [Fact]
    public void Decrypt_of_a_message_that_is_not_utf8_fails()
    {
        var plain = PushVectors.Pad32(PushVectors.Content([0x7B, 0xC3, 0x28, 0x7D], Vector.AppId));

        AssertFails(PushVectors.Seal(Vector, plain), Vector.EncodingAesKey, Vector.AppId);
    }

    [Fact]
    public void A_hand_built_envelope_decrypts_so_the_failure_tests_fail_for_their_one_reason()
    {
        var plain = PushVectors.Pad32(PushVectors.Content(Encoding.UTF8.GetBytes("{\"a\":1}"), Vector.AppId));

        Assert.Equal("{\"a\":1}", WeChatMessageCrypto.Decrypt(PushVectors.Seal(Vector, plain), Vector.EncodingAesKey, Vector.AppId));
    }

    [Fact]
    public void The_exception_message_is_the_same_for_every_cause_and_has_no_inner_exception()
    {
        var exception = Assert.Throws<WeChatMessageDecryptionException>(
            () => WeChatMessageCrypto.Decrypt("AAAA", Vector.EncodingAesKey, Vector.AppId));

        Assert.Equal(WeChatMessageDecryptionException.StandardMessage, exception.Message);
        Assert.Null(exception.InnerException);
        Assert.Equal(WeChatMessageDecryptionException.StandardMessage, new WeChatMessageDecryptionException("key=secret").Message);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", true)] // last character's unused bits are ignored
    [InlineData("ab+/efghijklmnopqrstuvwxyz0123456789ABCDEFG", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF=", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDE-_", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789 ABCDEF", false)]
    public void IsValidEncodingAesKey_takes_43_base64_characters(string? key, bool valid) =>
        Assert.Equal(valid, WeChatMessageCrypto.IsValidEncodingAesKey(key));

    public static TheoryData<string> VectorNames => PushVectors.Names;

    private static void AssertFails(string encrypt, string key, string appId)
    {
        var exception = Assert.Throws<WeChatMessageDecryptionException>(() => WeChatMessageCrypto.Decrypt(encrypt, key, appId));
        Assert.Equal(WeChatMessageDecryptionException.StandardMessage, exception.Message);
    }
}
