using System.Security.Cryptography;
using System.Text;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// The platform-wide user id: lowercase hex of the first 16 bytes of SHA-256 over <c>u:</c> + union id when one
/// is known, else over <c>o:</c> + app id + <c>:</c> + open id.
/// </summary>
public static class Pid
{
    public static string Compute(string appId, string openId, string unionId)
    {
        var source = unionId.Length > 0 ? "u:" + unionId : "o:" + appId + ":" + openId;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(source), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
