using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tianmu.Testing;

/// <summary>One jscode2session request as the stand-in received it.</summary>
public sealed record RecordedRequest(string Path, string AppId, string Secret, string Code, string GrantType);

/// <summary>
/// A real HTTP server on 127.0.0.1 standing in for WeChat's jscode2session. By default a code made by
/// <see cref="NewCode"/> succeeds for its user with a fresh session key; any code can be scripted to answer
/// an error, garbage, a status, a hang or a dropped connection. Every request is recorded.
/// </summary>
public sealed class WeChatStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _sessionKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _unionIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _keptKeys = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private int _codes;

    private WeChatStandIn(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Every session key this stand-in has handed out, for secrets checks.</summary>
    public ConcurrentQueue<string> IssuedSessionKeys { get; } = new();

    public static async Task<WeChatStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var standIn = new WeChatStandIn(app);
        app.MapGet("/sns/jscode2session", standIn.HandleAsync);
        app.MapPost("/cgi-bin/stable_token", standIn.HandleStableTokenAsync);
        app.MapPost("/wxa/msg_sec_check", context => standIn.HandleCheckAsync(context, media: false));
        app.MapPost("/wxa/media_check_async", context => standIn.HandleCheckAsync(context, media: true));
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        standIn.BaseUrl = new Uri(address);
        return standIn;
    }

    /// <summary>A fresh login code for a user; the stand-in answers it with that user's open id.</summary>
    public string NewCode(string user) => $"ok-{user}-{Interlocked.Increment(ref _codes)}";

    public static string OpenIdOf(string user) =>
        "o" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(user))).Replace('+', '-').Replace('/', '_')[..27];

    /// <summary>The session key most recently issued to a user.</summary>
    public string SessionKeyOf(string user) => _sessionKeys[OpenIdOf(user)];

    /// <summary>Makes WeChat return a union id for this user from now on.</summary>
    public void GiveUnionId(string user, string unionId) => _unionIds[user] = unionId;

    /// <summary>
    /// From now on this user's logins keep the session key they already have (WeChat does not rotate it on every
    /// <c>wx.login</c>), or the key chosen now if they have none yet; by default every login hands out a fresh one.
    /// </summary>
    public void KeepSessionKey(string user)
    {
        var openId = OpenIdOf(user);
        _sessionKeys.TryAdd(openId, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        IssuedSessionKeys.Enqueue(_sessionKeys[openId]);
        _keptKeys[openId] = true;
    }

    public void Script(string code, Func<HttpContext, Task> responder) => _scripts[code] = responder;

    public void Answer(string code, string body, int status = 200, string contentType = "text/plain") =>
        Script(code, async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body).ConfigureAwait(false);
        });

    public void AnswerError(string code, int errcode) => Answer(code, $"{{\"errcode\":{errcode},\"errmsg\":\"scripted\"}}");

    /// <summary>Never answers (until the stand-in stops).</summary>
    public void Hang(string code) => Script(code, context => Task.Delay(Timeout.Infinite, _stopping.Token));

    /// <summary>Drops the connection without an answer.</summary>
    public void Drop(string code) => Script(code, context =>
    {
        context.Features.Get<IHttpRequestLifetimeFeature>()?.Abort();
        return Task.CompletedTask;
    });

    public int RequestsFor(string code) => Requests.Count(r => r.Code == code);

    /// <summary>
    /// The server API (stable_token, msg_sec_check, media_check_async) as this stand-in plays it for one app id: a test
    /// that scripts it uses an app id of its own.
    /// </summary>
    public WeChatServerApi ServerApi(string appId) => _serverApis.GetOrAdd(appId, static _ => new WeChatServerApi());

    private readonly ConcurrentDictionary<string, WeChatServerApi> _serverApis = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string AppId, int Generation)> _tokens = new(StringComparer.Ordinal);

    private async Task HandleStableTokenAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var appId = body.RootElement.TryGetProperty("appid", out var a) ? a.GetString() ?? string.Empty : string.Empty;
        var api = ServerApi(appId);
        Interlocked.Increment(ref api.StableTokenCallCount);
        if (body.RootElement.TryGetProperty("force_refresh", out var force) && force.ValueKind == JsonValueKind.True)
        {
            Interlocked.Increment(ref api.Generation);
        }

        var generation = Volatile.Read(ref api.Generation);
        var token = $"stand-in-token-{appId}-{generation}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}";
        if (!api.CurrentTokens.TryGetValue(generation, out var current))
        {
            current = api.CurrentTokens.GetOrAdd(generation, token);
        }

        _tokens[current] = (appId, generation);
        IssuedAccessTokens.Enqueue(current);
        await WriteAsync(context, $"{{\"access_token\":\"{current}\",\"expires_in\":7200}}").ConfigureAwait(false);
    }

    /// <summary>Every access token handed out, for secrets checks.</summary>
    public ConcurrentQueue<string> IssuedAccessTokens { get; } = new();

    private async Task HandleCheckAsync(HttpContext context, bool media)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var accessToken = context.Request.Query["access_token"].ToString();
        if (!_tokens.TryGetValue(accessToken, out var owner))
        {
            await WriteAsync(context, "{\"errcode\":40001,\"errmsg\":\"invalid credential\"}").ConfigureAwait(false);
            return;
        }

        var api = ServerApi(owner.AppId);
        (media ? api.MediaChecks : api.TextChecks).Enqueue(body.RootElement.Clone());
        if (owner.Generation != Volatile.Read(ref api.Generation))
        {
            await WriteAsync(context, "{\"errcode\":42001,\"errmsg\":\"access_token expired\"}").ConfigureAwait(false);
            return;
        }

        if (Interlocked.Exchange(ref api.RejectTokenOnceFlag, 0) == 1)
        {
            // The token expires between two calls: this answer says so, the next stable_token hands out a new one.
            Interlocked.Increment(ref api.Generation);
            await WriteAsync(context, "{\"errcode\":40001,\"errmsg\":\"invalid credential, access_token is invalid or not latest\"}").ConfigureAwait(false);
            return;
        }

        if (api.Hang)
        {
            await Task.Delay(Timeout.Infinite, _stopping.Token).ConfigureAwait(false);
            return;
        }

        if ((media ? api.MediaErrorCode : api.TextErrorCode) is { } errcode)
        {
            await WriteAsync(context, $"{{\"errcode\":{errcode},\"errmsg\":\"scripted\"}}").ConfigureAwait(false);
            return;
        }

        var traceId = $"trace-{Interlocked.Increment(ref _traces)}";
        if (media)
        {
            await WriteAsync(context, $"{{\"errcode\":0,\"errmsg\":\"ok\",\"trace_id\":\"{traceId}\"}}").ConfigureAwait(false);
            return;
        }

        var content = body.RootElement.TryGetProperty("content", out var c) ? c.GetString() ?? string.Empty : string.Empty;
        var suggest = api.RiskyWords.Keys.Any(w => content.Contains(w, StringComparison.Ordinal)) ? "risky"
            : api.ReviewWords.Keys.Any(w => content.Contains(w, StringComparison.Ordinal)) ? "review"
            : "pass";
        var label = suggest == "pass" ? 100 : 20001;
        await WriteAsync(context, $"{{\"errcode\":0,\"errmsg\":\"ok\",\"result\":{{\"suggest\":\"{suggest}\",\"label\":{label}}},\"detail\":[],\"trace_id\":\"{traceId}\"}}").ConfigureAwait(false);
    }

    private int _traces;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var code = query["js_code"].ToString();
        Requests.Enqueue(new RecordedRequest(context.Request.Path, query["appid"].ToString(), query["secret"].ToString(), code, query["grant_type"].ToString()));
        if (_scripts.TryGetValue(code, out var script))
        {
            await script(context).ConfigureAwait(false);
            return;
        }

        var parts = code.Split('-');
        if (parts.Length < 3 || parts[0] != "ok")
        {
            await WriteAsync(context, "{\"errcode\":40029,\"errmsg\":\"invalid code\"}").ConfigureAwait(false);
            return;
        }

        var user = string.Join('-', parts[1..^1]);
        var openId = OpenIdOf(user);
        var sessionKey = _keptKeys.ContainsKey(openId) && _sessionKeys.TryGetValue(openId, out var kept)
            ? kept
            : Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        _sessionKeys[openId] = sessionKey;
        IssuedSessionKeys.Enqueue(sessionKey);
        var union = _unionIds.TryGetValue(user, out var unionId) ? $",\"unionid\":\"{unionId}\"" : string.Empty;
        await WriteAsync(context, $"{{\"session_key\":\"{sessionKey}\",\"openid\":\"{openId}\"{union}}}").ConfigureAwait(false);
    }

    private static Task WriteAsync(HttpContext context, string body)
    {
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(body);
    }
}

/// <summary>
/// One app's WeChat server API in the <see cref="WeChatStandIn"/>: counts, recorded check requests and scripting hooks.
/// Text checks answer <c>pass</c>, or <c>risky</c>/<c>review</c> when the content holds one of <see cref="RiskyWords"/> /
/// <see cref="ReviewWords"/>; media checks answer a fresh <c>trace_id</c>.
/// </summary>
public sealed class WeChatServerApi
{
    internal int StableTokenCallCount;
    internal int Generation;
    internal int RejectTokenOnceFlag;

    internal ConcurrentDictionary<int, string> CurrentTokens { get; } = new();

    /// <summary>How many <c>stable_token</c> requests this app made.</summary>
    public int StableTokenCalls => Volatile.Read(ref StableTokenCallCount);

    /// <summary>Bodies of the <c>msg_sec_check</c> requests that came with a known token.</summary>
    public ConcurrentQueue<JsonElement> TextChecks { get; } = new();

    /// <summary>Bodies of the <c>media_check_async</c> requests that came with a known token.</summary>
    public ConcurrentQueue<JsonElement> MediaChecks { get; } = new();

    public ConcurrentDictionary<string, bool> RiskyWords { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, bool> ReviewWords { get; } = new(StringComparer.Ordinal);

    /// <summary>An errcode every text check answers (61010, -1, …), or null.</summary>
    public int? TextErrorCode { get; set; }

    /// <summary>An errcode every media check answers, or null.</summary>
    public int? MediaErrorCode { get; set; }

    /// <summary>Checks never answer (until the stand-in stops).</summary>
    public bool Hang { get; set; }

    /// <summary>The next check answers 40001 and the current token stops working (as when it expires between two
    /// calls); the next <c>stable_token</c> hands out a new one.</summary>
    public void RejectTokenOnce() => Interlocked.Exchange(ref RejectTokenOnceFlag, 1);
}
