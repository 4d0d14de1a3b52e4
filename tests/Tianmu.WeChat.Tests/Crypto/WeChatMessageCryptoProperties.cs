using FsCheck;
using FsCheck.Xunit;
using Tianmu.WeChat.Crypto;

namespace Tianmu.WeChat.Tests.Crypto;

/// <summary>Whatever the input, Decrypt succeeds or throws only <see cref="WeChatMessageDecryptionException"/>.</summary>
public sealed class WeChatMessageCryptoProperties
{
    private const int Cases = 500;
    private static readonly PushVector Vector = PushVectors.MediaCheck;

    [Property(MaxTest = Cases)]
    public void Decrypt_of_arbitrary_strings_throws_only_the_one_exception(string encrypt, string key, string appId) =>
        AssertSucceedsOrFailsWithTheOneException(encrypt, key, appId);

    [Property(MaxTest = Cases)]
    public void Decrypt_of_arbitrary_bytes_with_the_right_key_throws_only_the_one_exception(byte[] data) =>
        AssertSucceedsOrFailsWithTheOneException(Convert.ToBase64String(data ?? []), Vector.EncodingAesKey, Vector.AppId);

    [Property(MaxTest = Cases)]
    public void Decrypt_of_arbitrary_whole_blocks_sealed_with_the_right_key_throws_only_the_one_exception(byte[] data)
    {
        var blocks = new byte[Math.Max(32, (data?.Length ?? 0) / 32 * 32)];
        data?.AsSpan(0, Math.Min(data.Length, blocks.Length)).CopyTo(blocks);

        AssertSucceedsOrFailsWithTheOneException(PushVectors.Seal(Vector, blocks), Vector.EncodingAesKey, Vector.AppId);
    }

    [Property(MaxTest = Cases)]
    public void A_bit_flip_anywhere_in_a_valid_envelope_is_only_ever_the_one_exception_or_a_message(PositiveInt position, byte mask)
    {
        var cipher = Convert.FromBase64String(Vector.Encrypt);
        cipher[position.Get % cipher.Length] ^= mask == 0 ? (byte)1 : mask;

        AssertSucceedsOrFailsWithTheOneException(Convert.ToBase64String(cipher), Vector.EncodingAesKey, Vector.AppId);
    }

    [Property(MaxTest = Cases)]
    public void A_changed_character_of_the_base64_is_only_ever_the_one_exception_or_a_message(PositiveInt position, char replacement)
    {
        var chars = Vector.Encrypt.ToCharArray();
        chars[position.Get % chars.Length] = replacement;

        AssertSucceedsOrFailsWithTheOneException(new string(chars), Vector.EncodingAesKey, Vector.AppId);
    }

    [Property(MaxTest = Cases)]
    public void Encrypt_then_Decrypt_of_any_string_gives_it_back_when_it_is_valid_utf16(string message)
    {
        message ??= "";
        if (!IsWellFormedUtf16(message))
        {
            return; // a lone surrogate becomes U+FFFD in UTF-8: not the same string
        }

        Assert.Equal(message, WeChatMessageCrypto.Decrypt(
            WeChatMessageCrypto.Encrypt(message, Vector.EncodingAesKey, Vector.AppId), Vector.EncodingAesKey, Vector.AppId));
    }

    private static bool IsWellFormedUtf16(string s) => System.Text.Unicode.Utf8.FromUtf16(s, new byte[s.Length * 3], out _, out _, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done;

    private static void AssertSucceedsOrFailsWithTheOneException(string encrypt, string key, string appId)
    {
        try
        {
            WeChatMessageCrypto.Decrypt(encrypt, key, appId);
        }
        catch (WeChatMessageDecryptionException exception)
        {
            Assert.Equal(WeChatMessageDecryptionException.StandardMessage, exception.Message);
            Assert.Null(exception.InnerException);
        }
    }
}
