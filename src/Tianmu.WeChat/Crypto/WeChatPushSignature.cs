using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Tianmu.WeChat.Crypto;

/// <summary>
/// The signatures of WeChat's message push: lowercase hex SHA-1 of the given strings sorted ordinally
/// (lexicographically, as WeChat's samples sort) and joined without a separator.
/// </summary>
/// <remarks>
/// The URL check's <c>signature</c> signs (token, timestamp, nonce); a safe-mode push's <c>msg_signature</c> signs
/// (token, timestamp, nonce, Encrypt). Contract, "GET and POST /api/wechat/push/{app_id}"; WeChat:
/// https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html.
/// </remarks>
public static class WeChatPushSignature
{
    /// <summary>Length of a signature in hex digits (SHA-1).</summary>
    public const int SignatureHexLength = 40;

    /// <summary>Shortest push token WeChat's console accepts.</summary>
    public const int MinTokenLength = 3;

    /// <summary>Longest push token WeChat's console accepts.</summary>
    public const int MaxTokenLength = 32;

    private const int HashSize = 20;
    private const int MaxStackBytes = 512;

    /// <summary>
    /// True when <paramref name="token"/> is a push token WeChat's console accepts: 3–32 ASCII letters or digits
    /// (contract: <c>Tianmu__Apps__&lt;app_id&gt;__PushToken</c>, 3–32 characters; WeChat's console: "必须为英文或数字").
    /// For checking the configuration at start-up. Never throws.
    /// </summary>
    public static bool IsValidToken(string? token) =>
        token is { Length: >= MinTokenLength and <= MaxTokenLength } && token.AsSpan().ContainsAnyExcept(AsciiLettersAndDigits) is false;

    /// <summary>Lowercase hex SHA-1 (40 characters) of <paramref name="parts"/> sorted ordinally and joined, as UTF-8.</summary>
    /// <exception cref="ArgumentNullException">One of the parts is null.</exception>
    public static string Compute(params ReadOnlySpan<string> parts)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        Hash(parts, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Whether <paramref name="signature"/> (40 hex digits, either case) is the signature of <paramref name="parts"/>,
    /// compared in constant time over the decoded bytes. False, never an exception, for a null or malformed signature or a
    /// null part.
    /// </summary>
    public static bool Verify(string? signature, params ReadOnlySpan<string> parts)
    {
        if (signature is null || signature.Length != SignatureHexLength)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part is null)
            {
                return false;
            }
        }

        Span<byte> given = stackalloc byte[HashSize];
        if (Convert.FromHexString(signature, given, out _, out var written) != OperationStatus.Done || written != HashSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HashSize];
        Hash(parts, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    private static readonly SearchValues<char> AsciiLettersAndDigits =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    private static void Hash(ReadOnlySpan<string> parts, Span<byte> hash)
    {
        var sorted = parts.ToArray();
        var length = 0;
        foreach (var part in sorted)
        {
            ArgumentNullException.ThrowIfNull(part, nameof(parts));
            length += Encoding.UTF8.GetByteCount(part);
        }

        Array.Sort(sorted, StringComparer.Ordinal);
        byte[]? rented = null;
        var buffer = length <= MaxStackBytes ? stackalloc byte[MaxStackBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        buffer = buffer[..length];
        try
        {
            var offset = 0;
            foreach (var part in sorted)
            {
                offset += Encoding.UTF8.GetBytes(part, buffer[offset..]);
            }

#pragma warning disable CA5350 // WeChat's protocol defines the push signatures as SHA-1; it is not our choice.
            SHA1.HashData(buffer, hash);
#pragma warning restore CA5350
        }
        finally
        {
            // The buffer holds the push token.
            CryptographicOperations.ZeroMemory(buffer);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
