using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Tianmu.WeChat.Crypto;

/// <summary>AES-128-CBC with PKCS#7 on the x86 AES-NI instructions, keyed per call with no allocation.</summary>
/// <remarks>
/// <para>The round keys live in stack memory and are zeroed before returning. AES-NI runs every round in constant time
/// (no table look-ups), and the padding check below is arithmetic, without branches on the plaintext; the one branch is
/// on its outcome, which the caller turns into the single decryption error anyway.</para>
/// <para>The key schedule is FIPS-197's for AES-128 (<c>AESKEYGENASSIST</c> with the ten round constants); the
/// decryption schedule is the "equivalent inverse cipher" of FIPS-197 §5.3.5: the encryption round keys in reverse
/// order, <c>AESIMC</c> applied to all but the first and last. CBC decryption has no dependency between blocks, so
/// four blocks go through the rounds together to fill the AES unit's pipeline; encryption is serial by nature.</para>
/// <para>No Arm path: <c>System.Runtime.Intrinsics.Arm.Aes</c> has no key-generation assist, so the key schedule would
/// need its own S-box construction, and no Arm machine is here to test it on. Arm uses <see cref="PlatformAesCbc"/>.</para>
/// </remarks>
internal static class AesNiCbc
{
    private const int BlockSize = 16;
    private const int Rounds = 10;

    public static bool IsSupported => X86Aes.IsSupported;

    /// <summary>Decrypts; <paramref name="destination"/> must hold <paramref name="ciphertext"/>'s length and may be the
    /// same span (not a partly overlapping one). Returns false, with the destination zeroed, when the ciphertext is not
    /// whole blocks or its padding is wrong.</summary>
    public static bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written)
    {
        ThrowIfNotSupported();
        CheckArguments(key, iv, ciphertext, destination, ciphertext.Length);
        written = 0;
        if (ciphertext.Length == 0 || ciphertext.Length % BlockSize != 0)
        {
            return false;
        }

        Span<Vector128<byte>> roundKeys = stackalloc Vector128<byte>[Rounds + 1];
        Vector128<byte> lastBlock;
        try
        {
            ExpandKey(key, roundKeys);
            InvertKeySchedule(roundKeys);
            lastBlock = DecryptBlocks(roundKeys, Vector128.Create(iv), ciphertext, destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(roundKeys));
        }

        var padding = PaddingLength(lastBlock);
        if (padding == 0)
        {
            CryptographicOperations.ZeroMemory(destination[..ciphertext.Length]);
            return false;
        }

        written = ciphertext.Length - padding;
        return true;
    }

    /// <summary>Encrypts with PKCS#7 padding; <paramref name="destination"/> must hold the plaintext's length rounded up
    /// to the next whole block (a full block of padding when it is already whole). Returns that length.</summary>
    public static int Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        ThrowIfNotSupported();
        var length = (plaintext.Length / BlockSize + 1) * BlockSize;
        CheckArguments(key, iv, plaintext, destination, length);

        Span<Vector128<byte>> roundKeys = stackalloc Vector128<byte>[Rounds + 1];
        Span<byte> tail = stackalloc byte[BlockSize];
        try
        {
            ExpandKey(key, roundKeys);
            var previous = Vector128.Create(iv);
            var whole = plaintext.Length - plaintext.Length % BlockSize;
            for (var i = 0; i < whole; i += BlockSize)
            {
                previous = EncryptBlock(Vector128.Create(plaintext.Slice(i, BlockSize)) ^ previous, roundKeys);
                previous.CopyTo(destination[i..]);
            }

            plaintext[whole..].CopyTo(tail);
            tail[(plaintext.Length - whole)..].Fill((byte)(length - plaintext.Length));
            EncryptBlock(Vector128.Create(tail) ^ previous, roundKeys).CopyTo(destination[whole..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(roundKeys));
            CryptographicOperations.ZeroMemory(tail);
        }

        return length;
    }

    /// <summary>FIPS-197 §5.2 for a 128-bit key: eleven round keys.</summary>
    private static void ExpandKey(ReadOnlySpan<byte> key, Span<Vector128<byte>> roundKeys)
    {
        // AESKEYGENASSIST takes its round constant as an immediate, hence one line per round.
        var k = Vector128.Create(key);
        roundKeys[0] = k;
        k = NextRoundKey(k, X86Aes.KeygenAssist(k, 0x01));
        roundKeys[1] = k;
        k = NextRoundKey(k, X86Aes.KeygenAssist(k, 0x02));
        roundKeys[2] = k;
        k = NextRoundKey(k, X86Aes.KeygenAssist(k, 0x04));
        roundKeys[3] = k;
        k = NextRoundKey(k, X86Aes.KeygenAssist(k, 0x08));
        roundKeys[4] = k;
        k = NextRoundKey(k, X86Aes.KeygenAssist(k, 0x10));
        roundKeys[5] = k;
        k = NextRoundKey(k, X86Aes.KeygenAssist(k, 0x20));
        roundKeys[6] = k;
        k = NextRoundKey(k, X86Aes.KeygenAssist(k, 0x40));
        roundKeys[7] = k;
        k = NextRoundKey(k, X86Aes.KeygenAssist(k, 0x80));
        roundKeys[8] = k;
        k = NextRoundKey(k, X86Aes.KeygenAssist(k, 0x1B));
        roundKeys[9] = k;
        k = NextRoundKey(k, X86Aes.KeygenAssist(k, 0x36));
        roundKeys[10] = k;
    }

    /// <summary>w[i] = w[i-1] ^ w[i-4] over the four words, the first one also xored with
    /// SubWord(RotWord(w[3])) ^ Rcon, which AESKEYGENASSIST leaves in its top word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> NextRoundKey(Vector128<byte> key, Vector128<byte> assist)
    {
        assist = Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 4);
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 4);
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 4);
        return key ^ assist;
    }

    /// <summary>The equivalent inverse cipher's schedule (FIPS-197 §5.3.5), in place.</summary>
    private static void InvertKeySchedule(Span<Vector128<byte>> roundKeys)
    {
        roundKeys.Reverse();
        for (var r = 1; r < Rounds; r++)
        {
            roundKeys[r] = X86Aes.InverseMixColumns(roundKeys[r]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> EncryptBlock(Vector128<byte> block, ReadOnlySpan<Vector128<byte>> roundKeys)
    {
        block ^= roundKeys[0];
        for (var r = 1; r < Rounds; r++)
        {
            block = X86Aes.Encrypt(block, roundKeys[r]);
        }

        return X86Aes.EncryptLast(block, roundKeys[Rounds]);
    }

    /// <summary>Decrypts every block into <paramref name="destination"/> and returns the last plaintext block.</summary>
    private static Vector128<byte> DecryptBlocks(
        ReadOnlySpan<Vector128<byte>> roundKeys, Vector128<byte> iv, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        // Each group is loaded before anything of it is stored, so the destination may be the ciphertext itself.
        var previous = iv;
        var plain = default(Vector128<byte>);
        var i = 0;
        for (; i + 4 * BlockSize <= ciphertext.Length; i += 4 * BlockSize)
        {
            var c0 = Vector128.Create(ciphertext.Slice(i, BlockSize));
            var c1 = Vector128.Create(ciphertext.Slice(i + BlockSize, BlockSize));
            var c2 = Vector128.Create(ciphertext.Slice(i + 2 * BlockSize, BlockSize));
            var c3 = Vector128.Create(ciphertext.Slice(i + 3 * BlockSize, BlockSize));
            var k = roundKeys[0];
            var b0 = c0 ^ k;
            var b1 = c1 ^ k;
            var b2 = c2 ^ k;
            var b3 = c3 ^ k;
            for (var r = 1; r < Rounds; r++)
            {
                k = roundKeys[r];
                b0 = X86Aes.Decrypt(b0, k);
                b1 = X86Aes.Decrypt(b1, k);
                b2 = X86Aes.Decrypt(b2, k);
                b3 = X86Aes.Decrypt(b3, k);
            }

            k = roundKeys[Rounds];
            (X86Aes.DecryptLast(b0, k) ^ previous).CopyTo(destination[i..]);
            (X86Aes.DecryptLast(b1, k) ^ c0).CopyTo(destination[(i + BlockSize)..]);
            (X86Aes.DecryptLast(b2, k) ^ c1).CopyTo(destination[(i + 2 * BlockSize)..]);
            plain = X86Aes.DecryptLast(b3, k) ^ c2;
            plain.CopyTo(destination[(i + 3 * BlockSize)..]);
            previous = c3;
        }

        for (; i < ciphertext.Length; i += BlockSize)
        {
            var c = Vector128.Create(ciphertext.Slice(i, BlockSize));
            var b = c ^ roundKeys[0];
            for (var r = 1; r < Rounds; r++)
            {
                b = X86Aes.Decrypt(b, roundKeys[r]);
            }

            plain = X86Aes.DecryptLast(b, roundKeys[Rounds]) ^ previous;
            plain.CopyTo(destination[i..]);
            previous = c;
        }

        return plain;
    }

    /// <summary>The PKCS#7 padding length (1–16) of the last block, or 0 when the padding is wrong; computed with
    /// arithmetic only, so its time does not depend on where the padding goes wrong.</summary>
    private static int PaddingLength(Vector128<byte> lastBlock)
    {
        var padding = (uint)lastBlock.GetElement(BlockSize - 1);
        // Bit i is set where byte i equals the padding byte; PKCS#7 needs bits 16 - padding to 15 set.
        var equal = Vector128.Equals(lastBlock, Vector128.Create((byte)padding)).ExtractMostSignificantBits();
        var required = (0xFFFFu << (int)((BlockSize - padding) & 31)) & 0xFFFFu;
        var matches = ((required & ~equal) - 1) >> 31;       // 1 when no required byte differs (the difference is < 2^16)
        var inRange = (((padding - 1) >> 4) - 1) >> 31;      // 1 when padding is 1 to 16, 0 for 0 and 17 to 255
        return (int)(padding * (matches & inRange));
    }

    private static void CheckArguments(
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> source, Span<byte> destination, int destinationLength)
    {
        if (key.Length != BlockSize)
        {
            throw new ArgumentException("AES-128 needs a 16-byte key.", nameof(key));
        }

        if (iv.Length != BlockSize)
        {
            throw new ArgumentException("CBC needs a 16-byte iv.", nameof(iv));
        }

        if (destination.Length < destinationLength)
        {
            throw new ArgumentException("The destination is too small.", nameof(destination));
        }

        if (source.Overlaps(destination, out var offset) && offset != 0)
        {
            throw new ArgumentException("The destination overlaps the source without being the same span.", nameof(destination));
        }
    }

    private static void ThrowIfNotSupported()
    {
        if (!X86Aes.IsSupported)
        {
            throw new PlatformNotSupportedException("This CPU has no AES-NI.");
        }
    }
}
