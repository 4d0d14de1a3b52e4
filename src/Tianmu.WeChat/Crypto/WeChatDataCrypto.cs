using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Tianmu.WeChat.Crypto;

/// <summary>
/// WeChat's "open data" encryption: AES-128-CBC with PKCS#7 padding, the 16-byte <c>session_key</c> as key,
/// a 16-byte <c>iv</c>, all three base64 encoded; plus the <c>rawData</c> signature
/// <c>hex(sha1(rawData + session_key))</c>.
/// </summary>
/// <remarks>
/// Every decryption failure, whatever its cause, throws <see cref="WeChatDecryptionException"/> with its one
/// standard message and no inner exception, so that callers cannot tell a padding error from a JSON error
/// (no padding oracle) and nothing about the key or the plaintext leaks into logs.
/// </remarks>
public static class WeChatDataCrypto
{
    internal const int KeySize = 16;
    internal const int BlockSize = 16;
    internal const int SignatureSize = 20; // SHA-1

    // Above this the signed data's buffer comes from the pool instead of the stack.
    private const int MaxStackBytes = 512;

    // Above this decryption's scratch buffer (base64 text + ciphertext, 1.75 bytes per base64 character) comes from
    // the pool: payloads of up to ~730 base64 characters (~540 bytes of ciphertext) stay on the stack.
    private const int MaxStackDecryptBytes = 1280;

    /// <summary>Decrypts user info; requires a string <c>nickName</c> and <c>watermark.appid == expectedAppId</c>.
    /// Missing optional strings become "", a missing gender 0.</summary>
    public static WeChatUserInfo DecryptUserInfo(string encryptedData, string iv, string sessionKey, string expectedAppId) =>
        Decrypt(encryptedData, iv, sessionKey, expectedAppId, static (json, appId) => WeChatPayloadReader.ReadUserInfo(json, appId));

    /// <summary>Decrypts the legacy phone-number payload; requires a string <c>phoneNumber</c> and the watermark.</summary>
    public static WeChatPhoneNumber DecryptPhoneNumber(string encryptedData, string iv, string sessionKey, string expectedAppId) =>
        Decrypt(encryptedData, iv, sessionKey, expectedAppId, static (json, appId) => WeChatPayloadReader.ReadPhoneNumber(json, appId));

    /// <summary>Decrypts share info; requires a string <c>openGId</c> and the watermark.</summary>
    public static WeChatShareInfo DecryptShareInfo(string encryptedData, string iv, string sessionKey, string expectedAppId) =>
        Decrypt(encryptedData, iv, sessionKey, expectedAppId, static (json, appId) => WeChatPayloadReader.ReadShareInfo(json, appId));

    /// <summary>Decrypts any payload whose watermark matches and returns its JSON text.</summary>
    public static string DecryptJson(string encryptedData, string iv, string sessionKey, string expectedAppId) =>
        Decrypt(encryptedData, iv, sessionKey, expectedAppId, static (json, appId) =>
        {
            WeChatPayloadReader.ReadAnyPayload(json, appId);
            return Encoding.UTF8.GetString(json);
        });

    /// <summary>Encrypts UTF-8 JSON for a session key and iv (both base64) and returns base64: what WeChat sends.</summary>
    /// <exception cref="ArgumentException">The session key or iv is not the base64 of 16 bytes.</exception>
    public static string Encrypt(ReadOnlySpan<byte> plaintextUtf8, string sessionKey, string iv)
    {
        ArgumentNullException.ThrowIfNull(sessionKey);
        ArgumentNullException.ThrowIfNull(iv);

        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> ivBytes = stackalloc byte[BlockSize];
        try
        {
            if (!TryDecodeBlock(sessionKey, key))
            {
                throw new ArgumentException("The session key must be the base64 of 16 bytes.", nameof(sessionKey));
            }

            if (!TryDecodeBlock(iv, ivBytes))
            {
                throw new ArgumentException("The iv must be the base64 of 16 bytes.", nameof(iv));
            }

            var length = (plaintextUtf8.Length / BlockSize + 1) * BlockSize;
            var rented = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                var written = AesCbc.Encrypt(key, ivBytes, plaintextUtf8, rented.AsSpan(0, length));
                return Convert.ToBase64String(rented, 0, written);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Lowercase hex SHA-1 of UTF-8(rawData + sessionKey).</summary>
    public static string ComputeSignature(string rawData, string sessionKey)
    {
        ArgumentNullException.ThrowIfNull(rawData);
        ArgumentNullException.ThrowIfNull(sessionKey);

        Span<byte> hash = stackalloc byte[SignatureSize];
        HashSignedData(rawData, sessionKey, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Constant-time, case-insensitive comparison of <paramref name="signature"/> with <see cref="ComputeSignature"/>.</summary>
    /// <remarks>Returns false, never throws, for a null or malformed signature (not 40 hex digits) or null data.</remarks>
    public static bool VerifySignature(string rawData, string sessionKey, string signature)
    {
        if (rawData is null || sessionKey is null || signature is null || signature.Length != SignatureSize * 2)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[SignatureSize];
        if (Convert.FromHexString(signature, expected, out _, out var written) != OperationStatus.Done || written != SignatureSize)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[SignatureSize];
        HashSignedData(rawData, sessionKey, actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static void HashSignedData(string rawData, string sessionKey, Span<byte> hash)
    {
        // UTF-8(rawData + sessionKey) without building the concatenated string. The two halves encode
        // independently because a base64 key is ASCII (it cannot complete a surrogate pair split across them).
        var rawLength = Encoding.UTF8.GetByteCount(rawData);
        var length = rawLength + Encoding.UTF8.GetByteCount(sessionKey);
        byte[]? rented = null;
        var buffer = length <= MaxStackBytes
            ? stackalloc byte[MaxStackBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        buffer = buffer[..length];
        try
        {
            Encoding.UTF8.GetBytes(rawData, buffer);
            Encoding.UTF8.GetBytes(sessionKey, buffer[rawLength..]);
#pragma warning disable CA5350 // WeChat's protocol defines the rawData signature as SHA-1; it is not our choice.
            SHA1.HashData(buffer, hash);
#pragma warning restore CA5350
        }
        finally
        {
            // The buffer holds the session key.
            CryptographicOperations.ZeroMemory(buffer);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static T Decrypt<T>(string encryptedData, string iv, string sessionKey, string expectedAppId, PayloadParser<T> parse)
    {
        if (string.IsNullOrEmpty(encryptedData) || string.IsNullOrEmpty(iv) || string.IsNullOrEmpty(sessionKey)
            || string.IsNullOrEmpty(expectedAppId))
        {
            throw new WeChatDecryptionException();
        }

        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> ivBytes = stackalloc byte[BlockSize];
        // One scratch buffer: the base64 text narrowed to ASCII, then the bytes it decodes to.
        var maxCipherLength = encryptedData.Length / 4 * 3;
        var scratchLength = encryptedData.Length + maxCipherLength;
        byte[]? rented = null;
        var scratch = scratchLength <= MaxStackDecryptBytes
            ? stackalloc byte[MaxStackDecryptBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(scratchLength));
        var buffer = scratch.Slice(encryptedData.Length, maxCipherLength);
        var cipherLength = 0;
        try
        {
            if (!TryDecodeBlock(sessionKey, key)
                || !TryDecodeBlock(iv, ivBytes)
                || !TryDecodeBase64(encryptedData, scratch[..encryptedData.Length], buffer, out cipherLength)
                || cipherLength == 0
                || cipherLength % BlockSize != 0)
            {
                throw new WeChatDecryptionException();
            }

            // Decrypts in place: the plaintext overwrites the ciphertext it came from.
            var cipher = buffer[..cipherLength];
            if (!AesCbc.TryDecrypt(key, ivBytes, cipher, cipher, out var plaintextLength))
            {
                throw new WeChatDecryptionException();
            }

            var plaintext = buffer[..plaintextLength];
            return Utf8.IsValid(plaintext) ? Parse(parse, plaintext, expectedAppId) : throw new WeChatDecryptionException();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            // The buffer held the plaintext.
            CryptographicOperations.ZeroMemory(buffer[..cipherLength]);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // Whatever goes wrong between the decrypted bytes and the payload (escapes such as a lone surrogate in a member
    // name, nesting depth, numbers, anything the JSON reader may throw) is the one decryption failure: the plaintext
    // is attacker-shaped (a client can flip iv bits), so no exception type may tell one cause from another.
    private static T Parse<T>(PayloadParser<T> parse, ReadOnlySpan<byte> plaintext, string expectedAppId)
    {
        try
        {
            return parse(plaintext, expectedAppId);
        }
        catch (Exception exception) when (exception is not WeChatDecryptionException and not OutOfMemoryException)
        {
            throw new WeChatDecryptionException();
        }
    }

    /// <summary>Decodes base64 with exactly <see cref="Convert.TryFromBase64Chars"/>'s rules, fast.</summary>
    /// <remarks>
    /// <see cref="Convert.TryFromBase64Chars"/> decodes characters one at a time; narrowing to ASCII and
    /// <see cref="Base64.DecodeFromUtf8(ReadOnlySpan{byte}, Span{byte}, out int, out int, bool)"/> are both vectorised
    /// (the measured difference is in docs/PERFORMANCE.md, "base64"). The UTF-8 decoder is the stricter of the two (it refuses non-zero unused bits in
    /// the last character, which <see cref="Convert"/> ignores) and gives the same bytes whenever it accepts (checked
    /// on two million mutated strings and by a property test), so falling back to <see cref="Convert"/> when it refuses
    /// keeps exactly the old acceptance.
    /// </remarks>
    internal static bool TryDecodeBase64(string base64, Span<byte> ascii, Span<byte> destination, out int written) =>
        (Ascii.FromUtf16(base64, ascii, out var narrowed) == OperationStatus.Done
            && Base64.DecodeFromUtf8(ascii[..narrowed], destination, out _, out written) == OperationStatus.Done)
        || Convert.TryFromBase64Chars(base64, destination, out written);

    /// <summary>Decodes base64 that must hold exactly one 16-byte block (a session key or an iv).</summary>
    private static bool TryDecodeBlock(string base64, Span<byte> destination) =>
        base64.Length <= 64
        && Convert.TryFromBase64Chars(base64, destination, out var written)
        && written == destination.Length;

    private delegate T PayloadParser<out T>(ReadOnlySpan<byte> json, string expectedAppId);
}
