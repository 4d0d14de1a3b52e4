using System.Security.Cryptography;
using FsCheck.Xunit;
using Tianmu.WeChat.Crypto;

namespace Tianmu.WeChat.Tests.Crypto;

/// <summary>
/// The AES-NI path against published vectors and, case by case, against <see cref="System.Security.Cryptography.Aes"/>.
/// The AES-NI tests skip on a CPU without AES-NI; <c>DOTNET_EnableAES=0</c> switches the instructions off for a whole
/// test run, so that every other test of this project exercises the fallback instead.
/// </summary>
public sealed class AesCbcTests
{
    private const int Cases = 500;

    // NIST SP 800-38A, F.2.1 CBC-AES128.Encrypt and F.2.2 CBC-AES128.Decrypt (the same four blocks both ways).
    private static readonly byte[] SpKey = Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c");
    private static readonly byte[] SpIv = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
    private static readonly byte[] SpPlaintext = Convert.FromHexString(
        "6bc1bee22e409f96e93d7e117393172a" + "ae2d8a571e03ac9c9eb76fac45af8e51"
        + "30c81c46a35ce411e5fbc1191a0a52ef" + "f69f2445df4f9b17ad2b417be66c3710");
    private static readonly byte[] SpCiphertext = Convert.FromHexString(
        "7649abac8119b246cee98e9b12e9197d" + "5086cb9b507219ee95db113a917678b2"
        + "73bed6b8e3c1743b7116e69e22229516" + "3ff1caa1681fac09120eca307586e1a7");

    private delegate bool Decryptor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written);

    private delegate int Encryptor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> destination);

    public static TheoryData<string> Implementations() => new("AES-NI", "platform");

    [Fact]
    public void The_AES_NI_path_is_taken_exactly_when_the_CPU_has_AES_NI() =>
        Assert.Equal(System.Runtime.Intrinsics.X86.Aes.IsSupported, AesCbc.IsHardwareAccelerated);

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Encrypt_gives_the_SP_800_38A_F_2_1_ciphertext_then_one_block_of_padding(string implementation)
    {
        var (encrypt, _) = Use(implementation);
        var destination = new byte[SpPlaintext.Length + 16];

        var written = encrypt(SpKey, SpIv, SpPlaintext, destination);

        Assert.Equal(80, written);
        Assert.Equal(SpCiphertext, destination[..64]);
        Assert.Equal(PaddingBlockAfter(SpCiphertext), destination[64..]);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Decrypt_of_the_SP_800_38A_F_2_2_ciphertext_gives_its_plaintext(string implementation)
    {
        var (_, decrypt) = Use(implementation);
        byte[] ciphertext = [.. SpCiphertext, .. PaddingBlockAfter(SpCiphertext)];
        var destination = new byte[ciphertext.Length];

        Assert.True(decrypt(SpKey, SpIv, ciphertext, destination, out var written));

        Assert.Equal(SpPlaintext, destination[..written]);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void First_block_is_the_FIPS_197_C_1_AES_128_example(string implementation)
    {
        // With a zero iv the first CBC block is the bare cipher: FIPS-197 Appendix C.1.
        var (encrypt, decrypt) = Use(implementation);
        var key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
        var plaintext = Convert.FromHexString("00112233445566778899aabbccddeeff");
        var iv = new byte[16];
        var ciphertext = new byte[32];

        encrypt(key, iv, plaintext, ciphertext);
        Assert.Equal(Convert.FromHexString("69c4e0d86a7b0430d8cdb78070b4c55a"), ciphertext[..16]);

        Assert.True(decrypt(key, iv, ciphertext, ciphertext, out var written));
        Assert.Equal(plaintext, ciphertext[..written]);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Decrypt_refuses_empty_and_partial_blocks(string implementation)
    {
        var (_, decrypt) = Use(implementation);
        foreach (var length in new[] { 0, 1, 15, 17, 31, 33, 79 })
        {
            var destination = new byte[Math.Max(length, 16)];
            Assert.False(decrypt(SpKey, SpIv, new byte[length], destination, out var written));
            Assert.Equal(0, written);
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Decrypt_refuses_every_malformed_padding(string implementation)
    {
        var (_, decrypt) = Use(implementation);
        foreach (var padding in new[] { 0, 17, 32, 128, 255 })
        {
            Assert.False(decrypt(SpKey, SpIv, SealRaw(LastBlock(padding, 16, corrupt: -1)), new byte[32], out _), $"padding {padding}");
        }

        for (var padding = 2; padding <= 16; padding++)
        {
            for (var corrupt = 16 - padding; corrupt < 15; corrupt++)
            {
                Assert.False(
                    decrypt(SpKey, SpIv, SealRaw(LastBlock(padding, padding, corrupt)), new byte[32], out _),
                    $"padding {padding}, byte {corrupt} wrong");
            }
        }

        for (var padding = 1; padding <= 16; padding++)
        {
            Assert.True(decrypt(SpKey, SpIv, SealRaw(LastBlock(padding, padding, corrupt: -1)), new byte[32], out var written));
            Assert.Equal(32 - padding, written);
        }
    }

    [Property(MaxTest = Cases)]
    public void AES_NI_and_platform_agree_on_encryption_and_decryption_of_random_data(int seed)
    {
        if (!AesNiCbc.IsSupported)
        {
            return; // Nothing to compare; The_AES_NI_path_is_taken_exactly_when_the_CPU_has_AES_NI covers the dispatch.
        }

        var random = new Random(seed);
        var key = RandomBytes(random, 16);
        var iv = RandomBytes(random, 16);
        var plaintext = RandomBytes(random, random.Next(0, 2049));
        var length = (plaintext.Length / 16 + 1) * 16;

        var hardware = new byte[length];
        var platform = new byte[length];
        Assert.Equal(length, AesNiCbc.Encrypt(key, iv, plaintext, hardware));
        Assert.Equal(length, PlatformAesCbc.Encrypt(key, iv, plaintext, platform));
        Assert.Equal(platform, hardware);

        // In place, as WeChatDataCrypto decrypts.
        Assert.True(AesNiCbc.TryDecrypt(key, iv, hardware, hardware, out var hardwareWritten));
        Assert.True(PlatformAesCbc.TryDecrypt(key, iv, platform, platform, out var platformWritten));
        Assert.Equal(plaintext.Length, hardwareWritten);
        Assert.Equal(plaintext.Length, platformWritten);
        Assert.Equal(plaintext, hardware[..hardwareWritten]);
        Assert.Equal(plaintext, platform[..platformWritten]);
    }

    [Property(MaxTest = Cases)]
    public void AES_NI_and_platform_agree_on_decrypting_arbitrary_blocks_including_padding_failures(int seed)
    {
        if (!AesNiCbc.IsSupported)
        {
            return;
        }

        var random = new Random(seed);
        var key = RandomBytes(random, 16);
        var iv = RandomBytes(random, 16);
        byte[] ciphertext;
        switch (random.Next(3))
        {
            case 0:
                // Random bytes of any length up to 2048: almost always a padding or length failure.
                ciphertext = RandomBytes(random, random.Next(0, 2049));
                break;
            default:
                // Whole blocks whose last plaintext block ends in a chosen padding byte repeated a chosen number of times,
                // right or wrong: exercises every branch of the padding check.
                var blocks = RandomBytes(random, random.Next(0, 128) * 16);
                var padding = random.Next(0, 20);
                var repeated = random.Next(0, 17);
                var corrupt = random.Next(2) == 0 ? -1 : random.Next(0, 15);
                using (var aes = System.Security.Cryptography.Aes.Create())
                {
                    aes.Key = key;
                    byte[] plaintext = [.. blocks, .. LastBlock(padding, repeated, corrupt, random)];
                    ciphertext = aes.EncryptCbc(plaintext, iv, PaddingMode.None);
                }

                break;
        }

        var hardware = new byte[ciphertext.Length];
        var platform = new byte[ciphertext.Length];
        var hardwareOk = AesNiCbc.TryDecrypt(key, iv, ciphertext, hardware, out var hardwareWritten);
        var platformOk = PlatformAesCbc.TryDecrypt(key, iv, ciphertext, platform, out var platformWritten);

        Assert.Equal(platformOk, hardwareOk);
        Assert.Equal(platformWritten, hardwareWritten);
        Assert.Equal(platform[..platformWritten], hardware[..hardwareWritten]);
        if (!hardwareOk)
        {
            Assert.All(hardware, b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public void AES_NI_refuses_wrong_key_and_iv_sizes_a_short_destination_and_a_partial_overlap()
    {
        Assert.SkipUnless(AesNiCbc.IsSupported, "This CPU has no AES-NI.");
        var buffer = new byte[64];

        Assert.Throws<ArgumentException>(() => AesNiCbc.TryDecrypt(new byte[15], SpIv, buffer.AsSpan(0, 32), new byte[32], out _));
        Assert.Throws<ArgumentException>(() => AesNiCbc.TryDecrypt(new byte[32], SpIv, buffer.AsSpan(0, 32), new byte[32], out _));
        Assert.Throws<ArgumentException>(() => AesNiCbc.TryDecrypt(SpKey, new byte[8], buffer.AsSpan(0, 32), new byte[32], out _));
        Assert.Throws<ArgumentException>(() => AesNiCbc.TryDecrypt(SpKey, SpIv, buffer.AsSpan(0, 32), new byte[31], out _));
        Assert.Throws<ArgumentException>(() => AesNiCbc.TryDecrypt(SpKey, SpIv, buffer.AsSpan(0, 32), buffer.AsSpan(16, 32), out _));
        Assert.Throws<ArgumentException>(() => AesNiCbc.Encrypt(SpKey, SpIv, buffer.AsSpan(0, 16), new byte[16]));
        Assert.Throws<ArgumentException>(() => AesNiCbc.Encrypt(SpKey, SpIv, buffer.AsSpan(16, 16), buffer.AsSpan(0, 32)));
    }

    private static (Encryptor Encrypt, Decryptor Decrypt) Use(string implementation)
    {
        if (implementation == "platform")
        {
            return (PlatformAesCbc.Encrypt, PlatformAesCbc.TryDecrypt);
        }

        Assert.SkipUnless(AesNiCbc.IsSupported, "This CPU has no AES-NI.");
        return (AesNiCbc.Encrypt, AesNiCbc.TryDecrypt);
    }

    /// <summary>The PKCS#7 block that follows whole-block plaintext: E(16 × 0x10 xor the last ciphertext block), by the platform's ECB.</summary>
    private static byte[] PaddingBlockAfter(byte[] ciphertext)
    {
        var block = new byte[16];
        for (var i = 0; i < 16; i++)
        {
            block[i] = (byte)(0x10 ^ ciphertext[ciphertext.Length - 16 + i]);
        }

        using var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = SpKey;
        return aes.EncryptEcb(block, PaddingMode.None);
    }

    /// <summary>One SP 800-38A block followed by <paramref name="lastBlock"/>, encrypted with no padding added.</summary>
    private static byte[] SealRaw(byte[] lastBlock)
    {
        using var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = SpKey;
        byte[] plaintext = [.. SpPlaintext[..16], .. lastBlock];
        return aes.EncryptCbc(plaintext, SpIv, PaddingMode.None);
    }

    /// <summary>A block ending in <paramref name="repeated"/> copies (at most 16) of the byte <paramref name="padding"/>,
    /// the byte at <paramref name="corrupt"/> (if not -1) then changed.</summary>
    private static byte[] LastBlock(int padding, int repeated, int corrupt, Random? random = null)
    {
        var block = new byte[16];
        (random ?? new Random(padding)).NextBytes(block);
        block.AsSpan(16 - Math.Min(repeated, 16)).Fill((byte)padding);
        if (corrupt >= 0)
        {
            block[corrupt] ^= (byte)(1 + (random?.Next(255) ?? 0));
        }

        return block;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
