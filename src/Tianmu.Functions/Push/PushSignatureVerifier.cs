using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.WeChat.Crypto;

namespace Tianmu.Functions.Push;

/// <summary>
/// The query string of a WeChat push (docs/API.md, "GET and POST /api/wechat/push/{app_id}"). It carries signatures
/// and nonces: it never reaches a log or telemetry.
/// </summary>
public sealed record PushQuery(string? Signature, string? Timestamp, string? Nonce, string? EchoStr, string? EncryptType, string? MsgSignature)
{
    /// <summary>True for a safe-mode POST (<c>encrypt_type=aes</c>).</summary>
    public bool IsSafeMode => string.Equals(EncryptType, "aes", StringComparison.Ordinal);

    /// <summary>Reads the members WeChat sends; a member given twice counts as absent.</summary>
    public static PushQuery From(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new(One(query, "signature"), One(query, "timestamp"), One(query, "nonce"), One(query, "echostr"), One(query, "encrypt_type"), One(query, "msg_signature"));
    }

    /// <summary>Never prints the query.</summary>
    public override string ToString() => nameof(PushQuery);

    private static string? One(IQueryCollection query, string name) => query.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;
}

/// <summary>
/// The one authentication of WeChat's message push (the third kind, beside bearer tokens and server keys): the URL
/// check's and plain mode's <c>signature</c> over (token, timestamp, nonce), safe mode's <c>msg_signature</c> over
/// (token, timestamp, nonce, Encrypt) and its envelope, and a timestamp within 5 minutes of the server's clock
/// (docs/API.md, "GET and POST /api/wechat/push/{app_id}"). Every failure is 401 <c>invalid_signature</c>, one answer
/// whatever the cause.
/// </summary>
public sealed partial class PushSignatureVerifier(AppRegistry apps, TimeProvider time, ILogger<PushSignatureVerifier> logger)
{
    /// <summary>Largest difference between a push's <c>timestamp</c> and the server's clock.</summary>
    public static readonly TimeSpan MaxClockDifference = TimeSpan.FromMinutes(5);

    /// <summary>WeChat's URL check (GET): the <c>echostr</c> to answer exactly, once the signature verifies.</summary>
    /// <exception cref="ApiException">401 <c>invalid_signature</c>.</exception>
    public string VerifyUrlCheck(string appId, PushQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var push = Credentials(appId);
        if (!Fresh(appId, query.Timestamp) || !WeChatPushSignature.Verify(query.Signature, push.Token, query.Timestamp!, query.Nonce ?? string.Empty))
        {
            throw Refused(appId, "signature");
        }

        return query.EchoStr ?? string.Empty;
    }

    /// <summary>
    /// A pushed message (POST): the body itself in plain mode, the decrypted envelope in safe mode. An app with a push
    /// AES key accepts only safe mode: plain mode signs no body.
    /// </summary>
    /// <exception cref="ApiException">401 <c>invalid_signature</c>.</exception>
    public string VerifyMessage(string appId, PushQuery query, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(query);
        var push = Credentials(appId);
        if (!Fresh(appId, query.Timestamp))
        {
            throw Refused(appId, "timestamp");
        }

        var nonce = query.Nonce ?? string.Empty;
        if (!query.IsSafeMode)
        {
            if (push.AesKey is not null)
            {
                throw Refused(appId, "plain mode for an app in safe mode");
            }

            return WeChatPushSignature.Verify(query.Signature, push.Token, query.Timestamp!, nonce)
                ? System.Text.Encoding.UTF8.GetString(body)
                : throw Refused(appId, "signature");
        }

        if (push.AesKey is null || ReadEncrypt(body) is not { } encrypt
            || !WeChatPushSignature.Verify(query.MsgSignature, push.Token, query.Timestamp!, nonce, encrypt))
        {
            throw Refused(appId, "msg_signature");
        }

        try
        {
            return WeChatMessageCrypto.Decrypt(encrypt, push.AesKey, appId);
        }
        catch (WeChatMessageDecryptionException)
        {
            throw Refused(appId, "envelope");
        }
    }

    private PushCredentials Credentials(string appId) =>
        !ProfileKeys.IsLegalId(appId) ? throw Refused("(not an app id)", "no such app")
        : apps.TryGetPush(appId, out var push) ? push : throw Refused(appId, "no push token configured");

    private bool Fresh(string appId, string? timestamp)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        var difference = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (difference.Duration() > MaxClockDifference)
        {
            LogStale(logger, appId);
            return false;
        }

        return true;
    }

    // The safe-mode body {"ToUserName": "…", "Encrypt": "<base64>"}, read as WeChat sends it; null when it is not that.
    private static string? ReadEncrypt(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("Encrypt", out var encrypt)
                   && encrypt.ValueKind == JsonValueKind.String
                ? encrypt.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private ApiException Refused(string appId, string reason)
    {
        LogRefused(logger, appId, reason);
        return new ApiException(ApiErrorCode.InvalidSignature, "The push does not verify for this app.");
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Warning, Message = "A WeChat push to app {AppId} did not verify ({Reason})")]
    private static partial void LogRefused(ILogger logger, string appId, string reason);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "A WeChat push to app {AppId} has a timestamp more than 5 minutes from the server's clock")]
    private static partial void LogStale(ILogger logger, string appId);
}
