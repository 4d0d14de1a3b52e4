using System.Security.Cryptography;
using Tianmu.WeChat.Crypto;

namespace Tianmu.WeChat.Tests.Crypto;

/// <summary>
/// Fresh random session keys and ivs in WeChat's form (base64 of 16 bytes), for a local WeChat simulator and tests:
/// the simulator hands out a session key at jscode2session and seals user info with it.
/// </summary>
public static class TestKeys
{
    /// <summary>A random 16-byte AES key as base64, like a WeChat <c>session_key</c>.</summary>
    public static string NewSessionKey() => NewRandomBlock();

    /// <summary>A random 16-byte iv as base64.</summary>
    public static string NewIv() => NewRandomBlock();

    private static string NewRandomBlock()
    {
        Span<byte> block = stackalloc byte[WeChatDataCrypto.BlockSize];
        RandomNumberGenerator.Fill(block);
        var base64 = Convert.ToBase64String(block);
        CryptographicOperations.ZeroMemory(block);
        return base64;
    }
}
