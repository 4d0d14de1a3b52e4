using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Tianmu.Functions.Tokens;

/// <summary>One public key of the JWKS (RFC 7517, 4; RFC 7518, 6.2.1): never a private member such as <c>d</c>.</summary>
public sealed record PublicJsonWebKey(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);

/// <summary>The JWKS document (RFC 7517, 5): the current key first, then every previous key.</summary>
public sealed record JsonWebKeySetDocument(IReadOnlyList<PublicJsonWebKey> Keys);

[JsonSerializable(typeof(JsonWebKeySetDocument))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
public sealed partial class JwksJson : JsonSerializerContext;

/// <summary>
/// The token keys of this deployment (docs/API.md, "Tokens"): the current ES256 signing key
/// (<c>Tianmu__Jwt__PrivateKey</c>, generated in Development when missing) and the retired public keys still accepted
/// (<c>Tianmu__Jwt__PreviousPublicKeys</c>), each known by its <c>kid</c>, the RFC 7638 JWK thumbprint (base64url of
/// SHA-256). The options validator has already refused a bad key at start-up.
/// </summary>
public sealed partial class SigningKeys
{
    private readonly FrozenDictionary<string, ECDsaSecurityKey> _byKid;

    public SigningKeys(IOptions<JwtOptions> options, IHostEnvironment environment, ILogger<SigningKeys> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var jwt = options.Value;
        ECDsa current;
        if (jwt.PrivateKeyMissing && environment.IsDevelopment())
        {
            current = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            GeneratedForDevelopment = true;
            LogGeneratedKey(logger);
        }
        else
        {
            current = JwtKeyPem.ReadPrivateKey(jwt.PrivateKey);
        }

        var keys = new List<ECDsaSecurityKey> { ToSecurityKey(current) };
        foreach (var previous in JwtKeyPem.ReadPublicKeys(jwt.PreviousPublicKeys))
        {
            var key = ToSecurityKey(previous);
            if (keys.TrueForAll(k => k.KeyId != key.KeyId))
            {
                keys.Add(key);
            }
        }

        Current = keys[0];
        All = keys;
        _byKid = keys.ToFrozenDictionary(k => k.KeyId, StringComparer.Ordinal);
        Document = new JsonWebKeySetDocument([.. keys.Select(ToPublicJwk)]);
    }

    /// <summary>The key that signs every new token; its <c>KeyId</c> is the <c>kid</c>.</summary>
    public ECDsaSecurityKey Current { get; }

    /// <summary>Every key a token may be signed with: the current one first, then the previous ones.</summary>
    public IReadOnlyList<ECDsaSecurityKey> All { get; }

    /// <summary>The JWKS served at <c>GET /api/.well-known/jwks.json</c>, public members only.</summary>
    public JsonWebKeySetDocument Document { get; }

    /// <summary>True when the current key was generated at start because Development had none configured.</summary>
    public bool GeneratedForDevelopment { get; }

    /// <summary>The configured key of a <c>kid</c> (compared ordinally); false for any other.</summary>
    public bool TryGet(string? kid, out ECDsaSecurityKey key)
    {
        if (kid is not null && _byKid.TryGetValue(kid, out var found))
        {
            key = found;
            return true;
        }

        key = null!;
        return false;
    }

    /// <summary>The RFC 7638 thumbprint of a P-256 key's public part: base64url (no padding) of SHA-256 over
    /// <c>{"crv":"P-256","kty":"EC","x":…,"y":…}</c>.</summary>
    public static string Thumbprint(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(false);
        var jwk = new JsonWebKey
        {
            Kty = JsonWebAlgorithmsKeyTypes.EllipticCurve,
            Crv = JsonWebKeyECTypes.P256,
            X = Base64UrlEncoder.Encode(parameters.Q.X),
            Y = Base64UrlEncoder.Encode(parameters.Q.Y),
        };
        return Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
    }

    private static ECDsaSecurityKey ToSecurityKey(ECDsa key) => new(key) { KeyId = Thumbprint(key) };

    private static PublicJsonWebKey ToPublicJwk(ECDsaSecurityKey key)
    {
        var parameters = key.ECDsa.ExportParameters(false);
        return new PublicJsonWebKey(
            JsonWebAlgorithmsKeyTypes.EllipticCurve,
            JsonWebKeyECTypes.P256,
            Base64UrlEncoder.Encode(parameters.Q.X),
            Base64UrlEncoder.Encode(parameters.Q.Y),
            key.KeyId,
            "sig",
            SecurityAlgorithms.EcdsaSha256);
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning,
        Message = "Tianmu__Jwt__PrivateKey is not set: generated a P-256 signing key for this Development process; its tokens fail once it stops")]
    private static partial void LogGeneratedKey(ILogger logger);
}
