namespace Tianmu.WeChat.Crypto;

/// <summary>
/// WeChat's "open data" encryption: AES-128-CBC with PKCS#7 padding, the 16-byte <c>session_key</c> as key,
/// a 16-byte <c>iv</c>, all three base64 encoded; plus the <c>rawData</c> signature
/// <c>hex(sha1(rawData + session_key))</c>.
/// </summary>
public static class WeChatDataCrypto
{
    // SKELETON: implemented by the crypto work item. Signatures are the contract the app codes against.

    /// <summary>Decrypts user info; requires a string <c>nickName</c> and <c>watermark.appid == expectedAppId</c>.
    /// Missing optional strings become "", a missing gender 0.</summary>
    public static WeChatUserInfo DecryptUserInfo(string encryptedData, string iv, string sessionKey, string expectedAppId) => throw new NotImplementedException();

    public static WeChatPhoneNumber DecryptPhoneNumber(string encryptedData, string iv, string sessionKey, string expectedAppId) => throw new NotImplementedException();

    public static WeChatShareInfo DecryptShareInfo(string encryptedData, string iv, string sessionKey, string expectedAppId) => throw new NotImplementedException();

    /// <summary>Decrypts any payload whose watermark matches and returns its JSON text.</summary>
    public static string DecryptJson(string encryptedData, string iv, string sessionKey, string expectedAppId) => throw new NotImplementedException();

    /// <summary>Encrypts UTF-8 JSON for a session key and iv (both base64) and returns base64: what WeChat sends.</summary>
    public static string Encrypt(ReadOnlySpan<byte> plaintextUtf8, string sessionKey, string iv) => throw new NotImplementedException();

    /// <summary>Lowercase hex SHA-1 of UTF-8(rawData + sessionKey).</summary>
    public static string ComputeSignature(string rawData, string sessionKey) => throw new NotImplementedException();

    /// <summary>Constant-time, case-insensitive comparison of <paramref name="signature"/> with <see cref="ComputeSignature"/>.</summary>
    public static bool VerifySignature(string rawData, string sessionKey, string signature) => throw new NotImplementedException();
}
