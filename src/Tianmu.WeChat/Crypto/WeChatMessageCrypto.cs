using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Tianmu.WeChat.Crypto;

/// <summary>
/// The encrypted envelope of WeChat's message push in safe mode (消息推送, 安全模式; the same scheme as the official
/// accounts' message encryption): the <c>Encrypt</c> member of a pushed body.
/// </summary>
/// <remarks>
/// <para>Scheme (contract, "GET and POST /api/wechat/push/{app_id}"; WeChat: https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html):
/// key = base64-decode(EncodingAESKey + "=") (32 bytes), IV = the key's first 16 bytes, AES-256-CBC over
/// 16 random bytes ‖ the message's UTF-8 length as 4 bytes big-endian ‖ the message ‖ the app id, PKCS#7-padded to a
/// multiple of <b>32</b> bytes (pad value 1..32), base64 encoded.</para>
/// <para>Every decryption failure throws <see cref="WeChatMessageDecryptionException"/> with its one message and no inner
/// exception, whatever the input: no padding oracle, and nothing of the key or the plaintext leaks into logs.</para>
/// </remarks>
public static class WeChatMessageCrypto
{
    /// <summary>Length of an EncodingAESKey in characters.</summary>
    public const int EncodingAesKeyLength = 43;

    internal const int KeySize = 32;
    internal const int BlockSize = 16;
    internal const int PaddingBlockSize = 32;
    internal const int RandomPrefixSize = 16;
    internal const int LengthFieldSize = 4;
    private const int HeaderSize = RandomPrefixSize + LengthFieldSize;

    /// <summary>
    /// True when <paramref name="encodingAesKey"/> is a usable EncodingAESKey: exactly 43 characters of the base64
    /// alphabet (<c>A–Z a–z 0–9 + /</c>, no padding) that decode, with a trailing <c>=</c>, to 32 bytes. For checking
    /// <c>Tianmu__Apps__&lt;app_id&gt;__PushAesKey</c> at start-up. Never throws.
    /// </summary>
    public static bool IsValidEncodingAesKey(string? encodingAesKey)
    {
        if (encodingAesKey is null || encodingAesKey.Length != EncodingAesKeyLength)
        {
            return false;
        }

        foreach (var c in encodingAesKey)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
            {
                return false;
            }
        }

        Span<byte> key = stackalloc byte[KeySize];
        var valid = TryDecodeKey(encodingAesKey, key);
        CryptographicOperations.ZeroMemory(key);
        return valid;
    }

    /// <summary>Decrypts a safe-mode envelope and returns the message (UTF-8 text; JSON when the push format is JSON).</summary>
    /// <param name="encryptBase64">The <c>Encrypt</c> member: base64 of the ciphertext.</param>
    /// <param name="encodingAesKey">The app's 43-character EncodingAESKey.</param>
    /// <param name="expectedAppId">The route's app id; the envelope's trailing app id must equal it ordinally.</param>
    /// <exception cref="WeChatMessageDecryptionException">For every failure: a null or empty argument, an invalid key,
    /// bad base64, a ciphertext that is empty or not a multiple of 32 bytes (whole AES blocks padded to 32), bad padding (pad byte 0, over 32, longer than
    /// the plaintext, or pad bytes that differ), a plaintext shorter than 20 bytes, a length field past the end, a message
    /// that is not valid UTF-8, another app id. Never any other exception.</exception>
    public static string Decrypt(string encryptBase64, string encodingAesKey, string expectedAppId)
    {
        if (string.IsNullOrEmpty(encryptBase64) || string.IsNullOrEmpty(encodingAesKey) || string.IsNullOrEmpty(expectedAppId)
            || encodingAesKey.Length != EncodingAesKeyLength)
        {
            throw new WeChatMessageDecryptionException();
        }

        Span<byte> key = stackalloc byte[KeySize];
        var maxCipherLength = encryptBase64.Length / 4 * 3;
        // One buffer: the ciphertext, then the plaintext behind it.
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, maxCipherLength * 2));
        var cipherLength = 0;
        try
        {
            if (!TryDecodeKey(encodingAesKey, key)
                || !Convert.TryFromBase64String(encryptBase64, rented.AsSpan(0, maxCipherLength), out cipherLength)
                || cipherLength == 0
                || cipherLength % PaddingBlockSize != 0)
            {
                throw new WeChatMessageDecryptionException();
            }

            var cipher = rented.AsSpan(0, cipherLength);
            var plain = rented.AsSpan(cipherLength, cipherLength);
            using (var aes = Aes.Create())
            {
                aes.SetKey(key);
                if (!aes.TryDecryptCbc(cipher, key[..BlockSize], plain, out var written, PaddingMode.None) || written != cipherLength)
                {
                    throw new WeChatMessageDecryptionException();
                }
            }

            var unpadded = Unpad(plain);
            if (unpadded.Length < HeaderSize)
            {
                throw new WeChatMessageDecryptionException();
            }

            var messageLength = BinaryPrimitives.ReadUInt32BigEndian(unpadded.Slice(RandomPrefixSize, LengthFieldSize));
            var rest = unpadded[HeaderSize..];
            if (messageLength > (uint)rest.Length)
            {
                throw new WeChatMessageDecryptionException();
            }

            var message = rest[..(int)messageLength];
            if (!AppIdEquals(rest[(int)messageLength..], expectedAppId) || !Utf8.IsValid(message))
            {
                throw new WeChatMessageDecryptionException();
            }

            return Encoding.UTF8.GetString(message);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            // The buffer held the plaintext.
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, cipherLength * 2));
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Encrypts <paramref name="message"/> as WeChat does (a fresh random 16-byte prefix each call) and returns
    /// the base64 <c>Encrypt</c> value. For the local simulator and tests.</summary>
    /// <exception cref="ArgumentException"><paramref name="encodingAesKey"/> is not valid (see
    /// <see cref="IsValidEncodingAesKey"/>), or <paramref name="appId"/> is empty.</exception>
    public static string Encrypt(string message, string encodingAesKey, string appId)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(appId);
        if (!IsValidEncodingAesKey(encodingAesKey))
        {
            throw new ArgumentException("The EncodingAESKey must be 43 base64 characters that decode to 32 bytes.", nameof(encodingAesKey));
        }

        var messageLength = Encoding.UTF8.GetByteCount(message);
        var appIdLength = Encoding.UTF8.GetByteCount(appId);
        var contentLength = HeaderSize + messageLength + appIdLength;
        var pad = PaddingBlockSize - (contentLength % PaddingBlockSize);
        var plain = new byte[contentLength + pad];
        Span<byte> key = stackalloc byte[KeySize];
        try
        {
            RandomNumberGenerator.Fill(plain.AsSpan(0, RandomPrefixSize));
            BinaryPrimitives.WriteUInt32BigEndian(plain.AsSpan(RandomPrefixSize, LengthFieldSize), (uint)messageLength);
            Encoding.UTF8.GetBytes(message, plain.AsSpan(HeaderSize, messageLength));
            Encoding.UTF8.GetBytes(appId, plain.AsSpan(HeaderSize + messageLength, appIdLength));
            plain.AsSpan(contentLength).Fill((byte)pad);

            _ = TryDecodeKey(encodingAesKey, key);
            using var aes = Aes.Create();
            aes.SetKey(key);
            return Convert.ToBase64String(aes.EncryptCbc(plain, key[..BlockSize], PaddingMode.None));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>Removes PKCS#7 padding to a multiple of 32; returns an empty span when the padding is wrong (the callers
    /// then fail on the length, with the same exception).</summary>
    private static Span<byte> Unpad(Span<byte> plain)
    {
        var pad = plain[^1];
        if (pad is 0 or > PaddingBlockSize || pad > plain.Length)
        {
            return [];
        }

        // Every pad byte equal to the last; checked without branching on where a difference is.
        var difference = 0;
        foreach (var b in plain[^pad..])
        {
            difference |= b ^ pad;
        }

        return difference == 0 ? plain[..^pad] : [];
    }

    private static bool AppIdEquals(ReadOnlySpan<byte> appIdUtf8, string expectedAppId)
    {
        if (appIdUtf8.Length != Encoding.UTF8.GetByteCount(expectedAppId) || appIdUtf8.Length > 256)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[appIdUtf8.Length];
        Encoding.UTF8.GetBytes(expectedAppId, expected);
        return appIdUtf8.SequenceEqual(expected);
    }

    /// <summary>base64-decode(EncodingAESKey + "="), which must give exactly 32 bytes.</summary>
    private static bool TryDecodeKey(string encodingAesKey, Span<byte> key)
    {
        if (encodingAesKey.Length != EncodingAesKeyLength)
        {
            return false;
        }

        Span<char> padded = stackalloc char[EncodingAesKeyLength + 1];
        encodingAesKey.CopyTo(padded);
        padded[^1] = '=';
        return Convert.TryFromBase64Chars(padded, key, out var written) && written == KeySize;
    }
}
