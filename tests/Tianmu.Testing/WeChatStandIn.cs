using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
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
