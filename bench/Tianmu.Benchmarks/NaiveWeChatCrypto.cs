using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tianmu.Benchmarks;

/// <summary>
/// The baseline: how the popular WeChat SDKs decrypt open data and check the rawData signature (the shape of
/// Senparc.Weixin's <c>EncryptHelper.DecodeEncryptedData</c> and SKIT's <c>WechatApiClientUtility</c>):
/// <c>Convert.FromBase64String</c> three times, <c>Aes.Create()</c> + <c>CreateDecryptor</c> +
/// <c>TransformFinalBlock</c>, <c>Encoding.UTF8.GetString</c>, then a reflection-based
/// <c>JsonSerializer.Deserialize</c> into a DTO and a watermark comparison. Written here so that both run in the same
/// process and the same BenchmarkDotNet run.
/// </summary>
internal static class NaiveWeChatCrypto
{
    // The SDKs keep one options instance (reflection metadata is cached in it); a fresh one per call would be far slower.
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    public static NaiveUserInfo DecryptUserInfo(string encryptedData, string iv, string sessionKey, string expectedAppId)
    {
        var cipher = Convert.FromBase64String(encryptedData);
        var key = Convert.FromBase64String(sessionKey);
        var ivBytes = Convert.FromBase64String(iv);
        using var aes = Aes.Create();
        aes.Mode = CipherMode.CBC;
        aes.Padding = PaddingMode.PKCS7;
        aes.Key = key;
        aes.IV = ivBytes;
        using var decryptor = aes.CreateDecryptor();
        var plain = decryptor.TransformFinalBlock(cipher, 0, cipher.Length);
        var json = Encoding.UTF8.GetString(plain);
        var info = JsonSerializer.Deserialize<NaiveUserInfo>(json, Options)
            ?? throw new CryptographicException("Empty payload.");
        if (info.NickName is null || info.Watermark?.AppId != expectedAppId)
        {
            throw new CryptographicException("Watermark mismatch.");
        }

        return info;
    }

    public static bool VerifySignature(string rawData, string sessionKey, string signature)
    {
        // The baseline is the SDKs' code as written, so the analyzers' advice (which Tianmu follows) is declined here.
#pragma warning disable CA5350, CA1850, CA1872
        using var sha1 = SHA1.Create();
        var hash = sha1.ComputeHash(Encoding.UTF8.GetBytes(rawData + sessionKey));
        var hex = BitConverter.ToString(hash).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
#pragma warning restore CA5350, CA1850, CA1872
        return string.Equals(hex, signature, StringComparison.OrdinalIgnoreCase);
    }
}

internal sealed class NaiveUserInfo
{
    public string? OpenId { get; set; }
    public string? NickName { get; set; }
    public int Gender { get; set; }
    public string? Language { get; set; }
    public string? City { get; set; }
    public string? Province { get; set; }
    public string? Country { get; set; }
    public string? AvatarUrl { get; set; }
    public string? UnionId { get; set; }
    public NaiveWatermark? Watermark { get; set; }
}

internal sealed class NaiveWatermark
{
    [JsonPropertyName("appid")]
    public string? AppId { get; set; }

    public long Timestamp { get; set; }
}
