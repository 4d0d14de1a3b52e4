using System.Text.Json;

namespace Tianmu.WeChat.Tests.Crypto;

/// <summary>An encryption vector made with OpenSSL (see TestData/README.md).</summary>
public sealed record EncryptionVector(
    string AppId, string KeyHex, string IvHex, string SessionKey, string Iv, string EncryptedData, string Plaintext);

/// <summary>A signature vector made with sha1sum.</summary>
public sealed record SignatureVector(string RawData, string SessionKey, string Signature);

internal static class TestVectors
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static EncryptionVector UserInfo { get; } = Load<EncryptionVector>("userinfo.json");

    public static EncryptionVector AnonymousUserInfo { get; } = Load<EncryptionVector>("userinfo-anonymous.json");

    public static EncryptionVector Phone { get; } = Load<EncryptionVector>("phone.json");

    public static EncryptionVector Share { get; } = Load<EncryptionVector>("share.json");

    public static SignatureVector Signature { get; } = Load<SignatureVector>("signature.json");

    private static T Load<T>(string name) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name)), Options)
        ?? throw new InvalidOperationException($"Empty test vector {name}");
}
