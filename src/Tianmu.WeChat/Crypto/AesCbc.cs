using System.Security.Cryptography;

namespace Tianmu.WeChat.Crypto;

/// <summary>One-shot AES-128-CBC with PKCS#7 over spans: AES-NI when the CPU has it, the platform's AES otherwise.</summary>
/// <remarks>
/// Every WeChat payload comes with its own user's session key, so no keyed context can ever be reused. On the platform
/// path (OpenSSL 3 on Linux) creating and keying a context for each call costs far more time and memory than the block
/// decryptions themselves (docs/PERFORMANCE.md gives the figures); <see cref="AesNiCbc"/> expands the key on the stack instead.
/// Both paths are exposed so the tests can hold one against the other.
/// </remarks>
internal static class AesCbc
{
    /// <summary>True when calls take the AES-NI path.</summary>
    public static bool IsHardwareAccelerated => AesNiCbc.IsSupported;

    /// <summary>Decrypts with a 16-byte key; <paramref name="ciphertext"/> and <paramref name="destination"/> may be
    /// the same span. Returns false when the ciphertext is not whole blocks or its padding is wrong.</summary>
    public static bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written) =>
        AesNiCbc.IsSupported
            ? AesNiCbc.TryDecrypt(key, iv, ciphertext, destination, out written)
            : PlatformAesCbc.TryDecrypt(key, iv, ciphertext, destination, out written);

    /// <summary>Encrypts with a 16-byte key; returns the ciphertext length (the plaintext's, rounded up to the next block).</summary>
    public static int Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> destination) =>
        AesNiCbc.IsSupported
            ? AesNiCbc.Encrypt(key, iv, plaintext, destination)
            : PlatformAesCbc.Encrypt(key, iv, plaintext, destination);
}

/// <summary>AES-CBC through <see cref="Aes"/> (OpenSSL on Linux, CNG on Windows): the fallback, and the reference the
/// tests compare <see cref="AesNiCbc"/> with.</summary>
/// <remarks>
/// A fresh <see cref="Aes"/> per call, disposed (which zeroes its copy of the key) before returning. A per-thread cached
/// instance was measured: it saves 72 of about 280 bytes of garbage per call (the object; <c>SetKey</c> and the one-shot
/// call allocate the rest anyway) at the price of static mutable state and a key that outlives the call unless it is
/// overwritten, which costs another <c>SetKey</c>. Not worth it.
/// </remarks>
internal static class PlatformAesCbc
{
    public static bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written)
    {
        using var aes = Aes.Create();
        aes.SetKey(key);
        try
        {
            return aes.TryDecryptCbc(ciphertext, iv, destination, out written, PaddingMode.PKCS7);
        }
        catch (CryptographicException)
        {
            written = 0;
            return false;
        }
    }

    public static int Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        using var aes = Aes.Create();
        aes.SetKey(key);
        return aes.EncryptCbc(plaintext, iv, destination, PaddingMode.PKCS7);
    }
}
