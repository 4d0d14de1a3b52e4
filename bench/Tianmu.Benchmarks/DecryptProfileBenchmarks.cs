using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Tianmu.WeChat.Crypto;

namespace Tianmu.Benchmarks;

/// <summary>
/// Where a decryption's time goes, step by step, for both implementations: base64, the AES call alone (AES-NI as
/// Tianmu does it, the platform one-shot over spans as its fallback does, object + decryptor + TransformFinalBlock as
/// the SDKs do it) and the JSON step alone.
/// </summary>
[MemoryDiagnoser]
public class DecryptProfileBenchmarks
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };
    private readonly byte[] _key = Convert.FromBase64String(Payloads.SessionKey);
    private readonly byte[] _iv = Convert.FromBase64String(Payloads.Iv);
    private readonly byte[] _cipher = Convert.FromBase64String(Payloads.EncryptedData);
    private readonly byte[] _buffer = new byte[512];
    private readonly byte[] _json = Encoding.UTF8.GetBytes(Payloads.Plaintext);

    [Benchmark(Description = "base64: Convert.TryFromBase64Chars of data, key, iv (Tianmu before)")]
    public int Base64_Spans()
    {
        Span<byte> key = stackalloc byte[16];
        Span<byte> iv = stackalloc byte[16];
        Convert.TryFromBase64Chars(Payloads.SessionKey, key, out var k);
        Convert.TryFromBase64Chars(Payloads.Iv, iv, out var i);
        Convert.TryFromBase64Chars(Payloads.EncryptedData, _buffer, out var written);
        return k + i + written;
    }

    [Benchmark(Description = "base64: ASCII narrowing + Base64.DecodeFromUtf8 of data (Tianmu now)")]
    public int Base64_Utf8()
    {
        Span<byte> ascii = stackalloc byte[512];
        Ascii.FromUtf16(Payloads.EncryptedData, ascii, out var narrowed);
        Base64.DecodeFromUtf8(ascii[..narrowed], _buffer, out _, out var written);
        return written;
    }

    [Benchmark(Description = "AES-CBC: AES-NI key schedule + 23 blocks (Tianmu)")]
    public int Aes_Ni()
    {
        AesNiCbc.TryDecrypt(_key, _iv, _cipher, _buffer, out var written);
        return written;
    }

    [Benchmark(Description = "parse + watermark check: Utf8JsonReader into the records (Tianmu)")]
    public object Json_Tianmu() => WeChatPayloadReader.ReadUserInfo(_json, Payloads.AppId);

    [Benchmark(Description = "AES-CBC: Aes.Create + SetKey + TryDecryptCbc (platform fallback)")]
    public int Aes_OneShot()
    {
        using var aes = Aes.Create();
        aes.SetKey(_key);
        aes.TryDecryptCbc(_cipher, _iv, _buffer, out var written, PaddingMode.PKCS7);
        return written;
    }

    [Benchmark(Description = "AES-CBC: same, one Aes object reused (key set per call)")]
    public int Aes_ReusedObject()
    {
        _reused.SetKey(_key);
        _reused.TryDecryptCbc(_cipher, _iv, _buffer, out var written, PaddingMode.PKCS7);
        return written;
    }

    [Benchmark(Description = "AES-CBC: Aes.Create + CreateDecryptor + TransformFinalBlock (SDKs)")]
    public byte[] Aes_Transform()
    {
        using var aes = Aes.Create();
        aes.Key = _key;
        aes.IV = _iv;
        using var decryptor = aes.CreateDecryptor();
        return decryptor.TransformFinalBlock(_cipher, 0, _cipher.Length);
    }

    [Benchmark(Description = "UTF-8 GetString + reflection JsonSerializer (SDKs)")]
    public object? Json_Reflection() =>
        JsonSerializer.Deserialize<NaiveUserInfo>(Encoding.UTF8.GetString(_json), Options);

    private readonly Aes _reused = Aes.Create();

    [GlobalCleanup]
    public void Cleanup() => _reused.Dispose();
}
