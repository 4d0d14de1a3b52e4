using System.Globalization;
using System.Text;
using System.Text.Json;
using Tianmu.Testing;
using Tianmu.WeChat.Crypto;

namespace Tianmu.Functions.Tests.Push;

/// <summary>What WeChat would send to the push route: signed URLs, plain bodies and safe-mode envelopes.</summary>
public static class PushRequests
{
    public const string Token = "pushToken2026";
    public const string AesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    /// <summary>The plain-mode app.</summary>
    public const string PlainApp = TestHost.AppId;

    /// <summary>The safe-mode app (it has an AES key).</summary>
    public const string SafeApp = TestHost.OtherAppId;

    /// <summary>Push settings: <see cref="PlainApp"/> with a token only, <see cref="SafeApp"/> with a token and an AES key.</summary>
    public static Dictionary<string, string?> Settings()
    {
        SecretsWitness.NoteSecret(Token);
        SecretsWitness.NoteSecret(AesKey);
        return new()
        {
            [$"Tianmu:Apps:{PlainApp}:PushToken"] = Token,
            [$"Tianmu:Apps:{SafeApp}:PushToken"] = Token,
            [$"Tianmu:Apps:{SafeApp}:PushAesKey"] = AesKey,
        };
    }

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>An event as WeChat writes it (JSON data format).</summary>
    public static string Event(string openId, string name, string? revokeInfo = null, string appId = PlainApp)
    {
        var message = new Dictionary<string, object>
        {
            ["ToUserName"] = "gh_0123456789ab",
            ["FromUserName"] = openId,
            ["CreateTime"] = Now(),
            ["MsgType"] = "event",
            ["Event"] = name,
            ["OpenID"] = openId,
            ["AppID"] = appId,
        };
        if (revokeInfo is not null)
        {
            message["RevokeInfo"] = revokeInfo;
        }

        return JsonSerializer.Serialize(message);
    }

    public static string Nonce() => Guid.NewGuid().ToString("N")[..10];

    public static HttpRequestMessage UrlCheck(string appId, string echostr, long? timestamp = null, string token = Token)
    {
        var ts = (timestamp ?? Now()).ToString(CultureInfo.InvariantCulture);
        var nonce = Nonce();
        var signature = WeChatPushSignature.Compute(token, ts, nonce);
        return new HttpRequestMessage(HttpMethod.Get, $"/api/wechat/push/{appId}?signature={signature}&timestamp={ts}&nonce={nonce}&echostr={Uri.EscapeDataString(echostr)}");
    }

    public static HttpRequestMessage Plain(string appId, string body, long? timestamp = null, string token = Token, string contentType = "application/json")
    {
        var ts = (timestamp ?? Now()).ToString(CultureInfo.InvariantCulture);
        var nonce = Nonce();
        var signature = WeChatPushSignature.Compute(token, ts, nonce);
        return new HttpRequestMessage(HttpMethod.Post, $"/api/wechat/push/{appId}?signature={signature}&timestamp={ts}&nonce={nonce}")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
    }

    public static HttpRequestMessage Safe(string appId, string message, long? timestamp = null, string token = Token, string aesKey = AesKey, string? envelopeAppId = null, string contentType = "application/json")
    {
        var encrypt = WeChatMessageCrypto.Encrypt(message, aesKey, envelopeAppId ?? appId);
        return SafeEnvelope(appId, encrypt, timestamp, token, contentType);
    }

    public static HttpRequestMessage SafeEnvelope(string appId, string encrypt, long? timestamp = null, string token = Token, string contentType = "application/json")
    {
        var ts = (timestamp ?? Now()).ToString(CultureInfo.InvariantCulture);
        var nonce = Nonce();
        var msgSignature = WeChatPushSignature.Compute(token, ts, nonce, encrypt);
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["ToUserName"] = "gh_0123456789ab", ["Encrypt"] = encrypt });
        return new HttpRequestMessage(HttpMethod.Post, $"/api/wechat/push/{appId}?signature={WeChatPushSignature.Compute(token, ts, nonce)}&timestamp={ts}&nonce={nonce}&openid=x&encrypt_type=aes&msg_signature={msgSignature}")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
    }

    /// <summary>The request of either mode: plain for <see cref="PlainApp"/>, safe for <see cref="SafeApp"/>.</summary>
    public static HttpRequestMessage InMode(string mode, string message) =>
        mode == "safe" ? Safe(SafeApp, message) : Plain(PlainApp, message);

    public static string AppOf(string mode) => mode == "safe" ? SafeApp : PlainApp;
}
