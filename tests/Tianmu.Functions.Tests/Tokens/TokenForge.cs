using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Tokens;

/// <summary>Builds JWTs by hand, byte by byte, so that a test can make every defect a token can have.</summary>
public static class TokenForge
{
    public static string Forge(
        string sub,
        string? aud = TestHost.AppId,
        string iss = "tianmu",
        DateTimeOffset? now = null,
        TimeSpan? notBeforeOffset = null,
        TimeSpan? expiresOffset = null,
        string alg = "HS256",
        string key = TestHost.SigningKey,
        bool withExp = true,
        object? audience = null)
    {
        var at = (now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var payload = new Dictionary<string, object> { ["iss"] = iss, ["sub"] = sub, ["iat"] = at, ["nbf"] = at + (long)(notBeforeOffset ?? TimeSpan.Zero).TotalSeconds };
        if (audience is not null)
        {
            payload["aud"] = audience;
        }
        else if (aud is not null)
        {
            payload["aud"] = aud;
        }

        if (withExp)
        {
            payload["exp"] = at + (long)(expiresOffset ?? TimeSpan.FromHours(2)).TotalSeconds;
        }

        var header = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg, typ = "JWT" }));
        var body = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signingInput = Encoding.ASCII.GetBytes(header + "." + body);
        var keyBytes = Encoding.UTF8.GetBytes(key);
        byte[] signature = alg switch
        {
            "HS256" => HMACSHA256.HashData(keyBytes, signingInput),
            "HS384" => HMACSHA384.HashData(keyBytes, signingInput),
            "HS512" => HMACSHA512.HashData(keyBytes, signingInput),
            _ => [],
        };
        return header + "." + body + "." + Base64UrlEncoder.Encode(signature);
    }
}
