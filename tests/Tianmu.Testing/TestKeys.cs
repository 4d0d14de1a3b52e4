using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Tianmu.Testing;

/// <summary>
/// TEST-ONLY token keys, generated once per test run (no private key is committed): the P-256 key every test app signs
/// with, and helpers to make more. Never use these outside tests.
/// </summary>
public static class TestKeys
{
    /// <summary>The ECDSA P-256 key of the test apps (<c>Tianmu:Jwt:PrivateKey</c>).</summary>
    public static ECDsa Current { get; } = NewP256();

    /// <summary><see cref="Current"/> as PEM PKCS#8, as an operator configures it.</summary>
    public static string CurrentPrivateKeyPem { get; } = Current.ExportPkcs8PrivateKeyPem();

    /// <summary>The HS256 signing key of the first release, which no app reads any more.</summary>
    public const string LegacySigningKey = "test-signing-key-0123456789-abcdefghijklmnop";

    /// <summary>Text that would reveal <see cref="Current"/> if it reached an answer or a log: its PKCS#8 DER in base64 and its <c>d</c>.</summary>
    public static IReadOnlyList<string> CurrentSecrets { get; } =
    [
        Convert.ToBase64String(Current.ExportPkcs8PrivateKey()),
        Base64UrlEncoder.Encode(Current.ExportParameters(true).D),
        Convert.ToBase64String(Current.ExportParameters(true).D!),
    ];

    /// <summary>A fresh P-256 key.</summary>
    public static ECDsa NewP256() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The public key of <paramref name="key"/> as PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    public static string PublicPem(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ExportSubjectPublicKeyInfoPem();
    }
}
