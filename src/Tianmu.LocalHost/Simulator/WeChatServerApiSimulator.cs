using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;

namespace Tianmu.LocalHost.Simulator;

/// <summary>A media check the simulator accepted and whose verdict it owes.</summary>
/// <param name="AppId">The app whose token submitted it.</param>
/// <param name="OpenId">The user (<c>openid</c>), the push's <c>FromUserName</c>.</param>
/// <param name="MediaUrl">Where the image is (<c>media_url</c>).</param>
/// <param name="TraceId">The <c>trace_id</c> answered.</param>
public sealed record PendingMediaCheck(string AppId, string OpenId, Uri MediaUrl, string TraceId);

/// <summary>
/// WeChat's server API as the local simulator plays it: <c>stable_token</c> (one token per app until it nears expiry),
/// <c>msg_sec_check</c> v2 (a text holding one of <see cref="SimulatorOptions.RiskyWords"/> is <c>risky</c>, else
/// <c>pass</c>) and <c>media_check_async</c> (answers a <c>trace_id</c>, keeps the check pending). Tokens live in memory.
/// </summary>
public sealed class WeChatServerApiSimulator(AppRegistry apps, IOptions<SimulatorOptions> options, TimeProvider time)
{
    private const int ExpiresIn = 7200;

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingMediaCheck> _pending = new(StringComparer.Ordinal);

    /// <summary>Media checks submitted and not yet pushed, by trace id.</summary>
    public IReadOnlyDictionary<string, PendingMediaCheck> PendingMediaChecks => _pending;

    /// <summary>How many <c>stable_token</c> requests were answered (for the load run).</summary>
    public int StableTokenCalls => _stableTokenCalls;

    private int _stableTokenCalls;

    /// <summary>The JSON answer of <c>POST /cgi-bin/stable_token</c>.</summary>
    public string StableToken(JsonElement body)
    {
        Interlocked.Increment(ref _stableTokenCalls);
        var appId = StringOf(body, "appid");
        if (StringOf(body, "grant_type") != "client_credential")
        {
            return Error(40002, "invalid grant_type");
        }

        if (appId is null || !apps.TryGetSecret(appId, out var secret))
        {
            return Error(40013, "invalid appid");
        }

        if (!string.Equals(StringOf(body, "secret"), secret, StringComparison.Ordinal))
        {
            return Error(40125, "invalid appsecret");
        }

        var now = time.GetUtcNow();
        var force = body.TryGetProperty("force_refresh", out var f) && f.ValueKind == JsonValueKind.True;
        var token = _tokens.AddOrUpdate(
            appId,
            _ => NewToken(now),
            (_, current) => force || current.Expires <= now ? NewToken(now) : current);
        var remaining = (int)(token.Expires - now).TotalSeconds;
        return $"{{\"access_token\":\"{token.Token}\",\"expires_in\":{remaining}}}";
    }

    /// <summary>The JSON answer of <c>POST /wxa/msg_sec_check?access_token=…</c>.</summary>
    public string MsgSecCheck(string? accessToken, JsonElement body)
    {
        if (AppOf(accessToken) is null)
        {
            return Error(40001, "invalid credential, access_token is invalid or not latest");
        }

        var content = StringOf(body, "content") ?? string.Empty;
        var risky = options.Value.RiskyWords.Any(word => word.Length > 0 && content.Contains(word, StringComparison.Ordinal));
        var suggest = risky ? "risky" : "pass";
        return $"{{\"errcode\":0,\"errmsg\":\"ok\",\"result\":{{\"suggest\":\"{suggest}\",\"label\":{(risky ? 20001 : 100)}}},\"detail\":[],\"trace_id\":\"{NewTraceId()}\"}}";
    }

    /// <summary>The JSON answer of <c>POST /wxa/media_check_async?access_token=…</c>; the check stays pending.</summary>
    public string MediaCheckAsync(string? accessToken, JsonElement body)
    {
        if (AppOf(accessToken) is not { } appId)
        {
            return Error(40001, "invalid credential, access_token is invalid or not latest");
        }

        if (!Uri.TryCreate(StringOf(body, "media_url"), UriKind.Absolute, out var url) || StringOf(body, "openid") is not { } openId)
        {
            return Error(47001, "data format error");
        }

        var traceId = NewTraceId();
        _pending[traceId] = new PendingMediaCheck(appId, openId, url, traceId);
        return $"{{\"errcode\":0,\"errmsg\":\"ok\",\"trace_id\":\"{traceId}\"}}";
    }

    /// <summary>
    /// The verdict WeChat would push for a pending check, as the plain-mode <c>wxa_media_check</c> message: the image is
    /// downloaded from its <c>media_url</c> (as WeChat does) and is <c>risky</c> when its bytes hold
    /// <see cref="SimulatorOptions.RiskyImageMarker"/>. The check is no longer pending afterwards; null for an unknown trace.
    /// </summary>
    /// <remarks>
    /// Delivering it is the push route's part (<c>POST /api/wechat/push/{app_id}</c>, built separately): once that route
    /// exists, post this message to it, signed with the app's push token, e.g. from a timer a few seconds after
    /// <see cref="MediaCheckAsync"/>. Until then the simulator only prepares it.
    /// </remarks>
    public async Task<string?> TakeMediaCheckResultAsync(string traceId, HttpClient http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!_pending.TryRemove(traceId, out var check))
        {
            return null;
        }

        var bytes = await http.GetByteArrayAsync(check.MediaUrl, cancellationToken).ConfigureAwait(false);
        var marker = Encoding.ASCII.GetBytes(options.Value.RiskyImageMarker);
        var risky = marker.Length > 0 && bytes.AsSpan().IndexOf(marker) >= 0;
        var suggest = risky ? "risky" : "pass";
        var label = risky ? 20002 : 100;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ToUserName", "gh_simulated");
            writer.WriteString("FromUserName", check.OpenId);
            writer.WriteNumber("CreateTime", time.GetUtcNow().ToUnixTimeSeconds());
            writer.WriteString("MsgType", "event");
            writer.WriteString("Event", "wxa_media_check");
            writer.WriteString("appid", check.AppId);
            writer.WriteString("trace_id", check.TraceId);
            writer.WriteNumber("version", 2);
            writer.WriteNumber("errcode", 0);
            writer.WriteString("errmsg", "ok");
            writer.WriteStartObject("result");
            writer.WriteString("suggest", suggest);
            writer.WriteNumber("label", label);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private string? AppOf(string? accessToken)
    {
        var now = time.GetUtcNow();
        foreach (var (appId, token) in _tokens)
        {
            if (string.Equals(token.Token, accessToken, StringComparison.Ordinal) && token.Expires > now)
            {
                return appId;
            }
        }

        return null;
    }

    private static (string Token, DateTimeOffset Expires) NewToken(DateTimeOffset now) =>
        ("simulated-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), now.AddSeconds(ExpiresIn));

    private static string NewTraceId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static string? StringOf(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Error(int errcode, string message) => $"{{\"errcode\":{errcode},\"errmsg\":\"{message}\"}}";
}
