using System.Security.Cryptography;

namespace Tianmu.Functions.Tokens;

/// <summary>
/// Reads the PEM forms of the token keys (docs/API.md, "Tokens"): a PKCS#8 private key (RFC 5958, label
/// <c>PRIVATE KEY</c>) and bundles of SubjectPublicKeyInfo public keys (RFC 5280, label <c>PUBLIC KEY</c>), every one
/// ECDSA on P-256 (secp256r1, OID 1.2.840.10045.3.1.7), the only curve of ES256 (RFC 7518, 3.4).
/// Failures are <see cref="FormatException"/>s whose message never quotes the key.
/// </summary>
public static class JwtKeyPem
{
    /// <summary>The OID of P-256.</summary>
    public const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>The one P-256 private key of <paramref name="pem"/>.</summary>
    /// <exception cref="FormatException">Not exactly one PEM <c>PRIVATE KEY</c> block, not PKCS#8 ECDSA, or another curve.</exception>
    public static ECDsa ReadPrivateKey(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var blocks = Blocks(pem);
        if (blocks.Count != 1 || blocks[0].Label != "PRIVATE KEY")
        {
            throw new FormatException("expected exactly one PEM block \"-----BEGIN PRIVATE KEY-----\" (PKCS#8).");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(blocks[0].Der, out _);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw new FormatException("the PKCS#8 block is not an ECDSA private key.");
        }

        return RequireP256(key);
    }

    /// <summary>Every public key of a PEM bundle, in order; none for an empty or blank text.</summary>
    /// <exception cref="FormatException">A block that is not a P-256 <c>PUBLIC KEY</c>, or text outside the blocks.</exception>
    public static IReadOnlyList<ECDsa> ReadPublicKeys(string? bundle)
    {
        if (string.IsNullOrWhiteSpace(bundle))
        {
            return [];
        }

        var keys = new List<ECDsa>();
        try
        {
            var blocks = Blocks(bundle);
            for (var i = 0; i < blocks.Count; i++)
            {
                if (blocks[i].Label != "PUBLIC KEY")
                {
                    throw new FormatException($"block {i + 1} is not \"-----BEGIN PUBLIC KEY-----\".");
                }

                var key = ECDsa.Create();
                keys.Add(key);
                try
                {
                    key.ImportSubjectPublicKeyInfo(blocks[i].Der, out _);
                }
                catch (CryptographicException)
                {
                    throw new FormatException($"block {i + 1} is not an ECDSA public key.");
                }

                RequireP256(key, $"block {i + 1} ");
            }

            return keys;
        }
        catch (FormatException)
        {
            keys.ForEach(k => k.Dispose());
            throw;
        }
    }

    private static ECDsa RequireP256(ECDsa key, string where = "")
    {
        if (key.ExportParameters(false).Curve.Oid?.Value != P256Oid)
        {
            key.Dispose();
            throw new FormatException($"{where}is not on the P-256 curve (ES256 takes P-256 only).");
        }

        return key;
    }

    private static List<(string Label, byte[] Der)> Blocks(string text)
    {
        var blocks = new List<(string, byte[])>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[..fields.Location.Start].Trim().Length != 0)
            {
                throw new FormatException("text outside the PEM blocks.");
            }

            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out _))
            {
                throw new FormatException("a PEM block is not base64.");
            }

            blocks.Add((rest[fields.Label].ToString(), der));
            rest = rest[fields.Location.End..];
        }

        if (rest.Trim().Length != 0 || blocks.Count == 0)
        {
            throw new FormatException(blocks.Count == 0 ? "no PEM block found." : "text outside the PEM blocks.");
        }

        return blocks;
    }
}
