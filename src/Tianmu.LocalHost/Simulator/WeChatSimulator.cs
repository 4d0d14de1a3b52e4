using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Tianmu.Functions.Apps;
using Tianmu.WeChat.Crypto;

namespace Tianmu.LocalHost.Simulator;

/// <summary>What the user-info button would hand the game: the body of <c>updateUserInfo</c>.</summary>
public sealed record SealedUserInfo(string EncryptedData, string Iv, string Signature, string RawData);

/// <summary>The user info to seal, in WeChat's own names.</summary>
public record SimulatedUserInfo
{
    public string NickName { get; init; } = string.Empty;
    public string AvatarUrl { get; init; } = string.Empty;
    public int Gender { get; init; }
    public string City { get; init; } = string.Empty;
    public string Province { get; init; } = string.Empty;
    public string Country { get; init; } = string.Empty;
    public string Language { get; init; } = string.Empty;
}

/// <summary>
/// A local stand-in for WeChat for machines without a real mini-program: a jscode2session that accepts any code
/// <c>test-&lt;name&gt;</c> (stable open id and union id per name, a fresh session key per login), codes
/// <c>fail-&lt;errcode&gt;</c> that answer that WeChat error, and sealing of user info with a user's latest
/// session key, as the WeChat client would. Keys live in memory only.
/// </summary>
/// <remarks>
/// It grows one WeChat API at a time: a method here answers the API's request as WeChat's server would (same JSON,
/// same errcodes, JSON labelled <c>text/plain</c>), and <see cref="SimulatorEndpoints"/> maps WeChat's own path to it.
/// State a later call needs (a user's session key, a pending media check) lives here, per app and user.
/// </remarks>
public sealed partial class WeChatSimulator(AppRegistry apps, TimeProvider time)
{
    public const string TestCodePrefix = "test-";
    public const string FailCodePrefix = "fail-";

    private readonly ConcurrentDictionary<(string AppId, string OpenId), (string SessionKey, string Name)> _sessions = new();

    /// <summary>The JSON body WeChat's jscode2session would answer.</summary>
    public string JsCode2Session(string? appId, string? secret, string? code, string? grantType)
    {
        if (grantType != "authorization_code")
        {
            return Error(40002, "invalid grant_type");
        }

        if (appId is null || !apps.TryGetSecret(appId, out var expected))
        {
            return Error(40013, "invalid appid");
        }

        if (!string.Equals(secret, expected, StringComparison.Ordinal))
        {
            return Error(40125, "invalid appsecret");
        }

        if (code is not null && code.StartsWith(FailCodePrefix, StringComparison.Ordinal)
            && int.TryParse(code.AsSpan(FailCodePrefix.Length), out var errcode) && errcode != 0)
        {
            return Error(errcode, "simulated error");
        }

        if (code is null || !code.StartsWith(TestCodePrefix, StringComparison.Ordinal) || !NamePattern().IsMatch(code.AsSpan(TestCodePrefix.Length)))
        {
            return Error(40029, "invalid code");
        }

        var name = code[TestCodePrefix.Length..];
        var openId = OpenIdOf(appId, name);
        var sessionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        _sessions[(appId, openId)] = (sessionKey, name);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("session_key", sessionKey);
            writer.WriteString("openid", openId);
            writer.WriteString("unionid", UnionIdOf(name));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The stable open id of a simulated user (28 characters, like WeChat's).</summary>
    public static string OpenIdOf(string appId, string name) => "o" + Digest("open:" + appId + ":" + name)[..27];

    /// <summary>The stable union id of a simulated user: one person across every app.</summary>
    public static string UnionIdOf(string name) => "u" + Digest("union:" + name)[..27];

    /// <summary>Seals user info for the user's latest session key; null when the user never logged in here.</summary>
    public SealedUserInfo? Seal(string appId, string openId, SimulatedUserInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!_sessions.TryGetValue((appId, openId), out var session))
        {
            return null;
        }

        var sessionKey = session.SessionKey;

        var rawData = JsonSerializer.Serialize(info, SimulatorJson.Web.SimulatedUserInfo);
        var sealedJson = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
            new SealedPayload(openId, info.NickName, info.Gender, info.Language, info.City, info.Province, info.Country, info.AvatarUrl, UnionIdOf(session.Name), new(time.GetUtcNow().ToUnixTimeSeconds(), appId)),
            SimulatorJson.Web.SealedPayload));
        var iv = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        return new SealedUserInfo(
            WeChatDataCrypto.Encrypt(sealedJson, sessionKey, iv),
            iv,
            WeChatDataCrypto.ComputeSignature(rawData, sessionKey),
            rawData);
    }

    /// <summary>
    /// An event as WeChat's message push writes it (JSON data format): <c>MsgType</c> <c>event</c>, <c>Event</c>,
    /// <c>OpenID</c> and, for <c>user_authorization_revoke</c>, <c>RevokeInfo</c>.
    /// </summary>
    public string PushMessage(string appId, string openId, string eventName, string? revokeInfo)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ToUserName", "gh_simulated0000");
            writer.WriteString("FromUserName", openId);
            writer.WriteNumber("CreateTime", time.GetUtcNow().ToUnixTimeSeconds());
            writer.WriteString("MsgType", "event");
            writer.WriteString("Event", eventName);
            writer.WriteString("OpenID", openId);
            writer.WriteString("AppID", appId);
            if (revokeInfo is not null)
            {
                writer.WriteString("RevokeInfo", revokeInfo);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The query string and body WeChat would send to the push route: plain mode signs (token, timestamp, nonce); safe
    /// mode encrypts the message with the app's EncodingAESKey and adds <c>encrypt_type=aes</c> and
    /// <c>msg_signature</c> over (token, timestamp, nonce, Encrypt).
    /// </summary>
    public (string Query, string Body) SignPush(string appId, PushCredentials push, string message, bool safeMode)
    {
        ArgumentNullException.ThrowIfNull(push);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        var query = $"signature={WeChatPushSignature.Compute(push.Token, timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}";
        if (!safeMode || push.AesKey is null)
        {
            return (query, message);
        }

        var encrypt = WeChatMessageCrypto.Encrypt(message, push.AesKey, appId);
        var envelope = JsonSerializer.Serialize(new Dictionary<string, string> { ["ToUserName"] = "gh_simulated0000", ["Encrypt"] = encrypt }, SimulatorJson.Web.DictionaryStringString);
        return ($"{query}&encrypt_type=aes&msg_signature={WeChatPushSignature.Compute(push.Token, timestamp, nonce, encrypt)}", envelope);
    }

    private static string Error(int errcode, string message) =>
        $"{{\"errcode\":{errcode},\"errmsg\":\"{message}\"}}";

    private static string Digest(string value) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(value))).Replace('+', '-').Replace('/', '_');

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

/// <summary>The plaintext WeChat seals into <c>encryptedData</c> for user info.</summary>
public sealed record SealedPayload(
    string OpenId, string NickName, int Gender, string Language, string City, string Province, string Country, string AvatarUrl, string UnionId, SealedWatermark Watermark);

public sealed record SealedWatermark(long Timestamp, string Appid);

[JsonSerializable(typeof(SimulatedUserInfo))]
[JsonSerializable(typeof(SealedPayload))]
[JsonSerializable(typeof(SealedUserInfo))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class SimulatorJson : JsonSerializerContext
{
    /// <summary>
    /// camelCase and unescaped text like WeChat's own rawData, so that a developer can read and copy it.
    /// A development tool's JSON, never embedded in HTML: relaxed escaping is safe here.
    /// </summary>
    public static SimulatorJson Web { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
