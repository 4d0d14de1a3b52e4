using System.Security.Cryptography;
using System.Text.Json;

namespace Tianmu.WeChat.Tests.Crypto;

/// <summary>A message-push (safe mode) vector made with OpenSSL and sha1sum (see TestData/README.md).</summary>
public sealed record PushVector(
    string AppId,
    string EncodingAesKey,
    string KeyHex,
    string IvHex,
    string PlaintextHex,
    string Encrypt,
    string Message,
    string Token,
    string Timestamp,
    string Nonce,
    string MsgSignature,
    string Signature)
{
    public override string ToString() => AppId + " " + Message[..Math.Min(24, Message.Length)];
}

internal static class PushVectors
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static PushVector Revoke { get; } = Load("push-revoke.json");

    public static PushVector MediaCheck { get; } = Load("push-media-check.json");

    public static PushVector Short { get; } = Load("push-short.json");

    public static PushVector FullBlock { get; } = Load("push-full-block.json");

    public static TheoryData<string> Names { get; } = ["push-revoke.json", "push-media-check.json", "push-short.json", "push-full-block.json"];

    public static PushVector Load(string name) =>
        JsonSerializer.Deserialize<PushVector>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name)), Options)
        ?? throw new InvalidOperationException($"Empty test vector {name}");

    /// <summary>AES-256-CBC without padding of whole blocks, with the vector's key and IV: builds malformed envelopes.</summary>
    public static string Seal(PushVector vector, byte[] plaintext)
    {
        using var aes = Aes.Create();
        aes.Key = Convert.FromHexString(vector.KeyHex);
        return Convert.ToBase64String(aes.EncryptCbc(plaintext, Convert.FromHexString(vector.IvHex), PaddingMode.None));
    }

    /// <summary>16 random bytes, the big-endian <paramref name="declaredLength"/>, the message and the app id, unpadded.</summary>
    public static byte[] Content(byte[] message, string appId, uint? declaredLength = null)
    {
        var appIdBytes = System.Text.Encoding.UTF8.GetBytes(appId);
        var content = new byte[20 + message.Length + appIdBytes.Length];
        RandomNumberGenerator.Fill(content.AsSpan(0, 16));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(content.AsSpan(16, 4), declaredLength ?? (uint)message.Length);
        message.CopyTo(content, 20);
        appIdBytes.CopyTo(content, 20 + message.Length);
        return content;
    }

    /// <summary>PKCS#7 to a multiple of 32, as WeChat pads.</summary>
    public static byte[] Pad32(byte[] content)
    {
        var pad = 32 - content.Length % 32;
        return [.. content, .. Enumerable.Repeat((byte)pad, pad)];
    }
}
