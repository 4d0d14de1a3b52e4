using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Tianmu.Functions.Tokens;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Tokens;

/// <summary>
/// Builds JWTs by hand, byte by byte, so that a test can make every defect a token can have: ES256 with any key and
/// <c>kid</c> (the test apps' key by default), HS256/HS384/HS512 with any secret (the first release's key by default),
/// <c>alg</c> <c>none</c>, a P-384 key under <c>ES256</c> or <c>ES384</c>, any claim missing or wrong.
/// </summary>
public static class TokenForge
{
    /// <summary>Marks a header member or claim to leave out.</summary>
    public const string Omit = "\u0000omit";

    public static string Forge(
        string sub,
        string? aud = TestHost.AppId,
        string iss = "tianmu",
        DateTimeOffset? now = null,
        TimeSpan? notBeforeOffset = null,
        TimeSpan? expiresOffset = null,
        string alg = "ES256",
        ECDsa? key = null,
        string? kid = null,
        string hmacKey = TestKeys.LegacySigningKey,
        bool withExp = true,
        object? audience = null,
        string stamp = "no-stamp",
        long? authTime = null,
        string typ = "JWT")
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

        payload["auth_time"] = authTime ?? at;
        payload["pid"] = "0123456789abcdef0123456789abcdef";
        if (stamp != Omit)
        {
            payload["stamp"] = stamp;
        }

        var ecKey = key ?? TestKeys.Current;
        var header = new Dictionary<string, object> { ["alg"] = alg, ["typ"] = typ };
        kid ??= alg.StartsWith("ES", StringComparison.Ordinal) ? SigningKeys.Thumbprint(ecKey) : Omit;
        if (kid != Omit)
        {
            header["kid"] = kid;
        }

        var encodedHeader = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(header));
        var body = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signingInput = Encoding.ASCII.GetBytes(encodedHeader + "." + body);
        var secret = Encoding.UTF8.GetBytes(hmacKey);
        byte[] signature = alg switch
        {
            "HS256" => HMACSHA256.HashData(secret, signingInput),
            "HS384" => HMACSHA384.HashData(secret, signingInput),
            "HS512" => HMACSHA512.HashData(secret, signingInput),
            "ES256" => ecKey.SignData(signingInput, HashAlgorithmName.SHA256),
            "ES384" => ecKey.SignData(signingInput, HashAlgorithmName.SHA384),
            _ => [],
        };
        return encodedHeader + "." + body + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>The claims of a token, read without validation.</summary>
    public static JsonElement Claims(string token) =>
        JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[1])).RootElement.Clone();

    /// <summary>The header of a token, read without validation.</summary>
    public static JsonElement Header(string token) =>
        JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[0])).RootElement.Clone();
}
