using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tianmu.WeChat.Tests.Sessions;

/// <summary>A request as the server received it.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string ConnectionId);

/// <summary>
/// The one real Kestrel server on 127.0.0.1 standing in for WeChat in these tests. Each test registers its own app id
/// (jscode2session: routed by the <c>appid</c> query value) or its own scope (the server API: routed by a first path
/// segment, see <see cref="ServerApi.FakeWeChatApi"/>) with the behaviour it wants, so tests sharing the server stay
/// independent; jscode2session requests are recorded per app id.
/// </summary>
public sealed class FakeWeChatServer : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, RequestDelegate> _behaviours = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RequestDelegate> _scopes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedRequest>> _received = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.Single());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>A fresh app id whose requests get <paramref name="behaviour"/>.</summary>
    public string NewApp(RequestDelegate behaviour)
    {
        var appId = "wx" + Guid.NewGuid().ToString("N")[..16];
        _behaviours[appId] = behaviour;
        return appId;
    }

    /// <summary>A fresh first path segment whose requests <paramref name="handler"/> answers (the rest of the path intact).</summary>
    public string NewScope(RequestDelegate handler)
    {
        var scope = Guid.NewGuid().ToString("N");
        _scopes[scope] = handler;
        return scope;
    }

    public IReadOnlyList<ReceivedRequest> ReceivedBy(string appId) =>
        _received.TryGetValue(appId, out var queue) ? [.. queue] : [];

    private async Task HandleAsync(HttpContext context)
    {
        var scope = (context.Request.Path.Value ?? string.Empty).TrimStart('/').Split('/', 2)[0];
        if (_scopes.TryGetValue(scope, out var handler))
        {
            await handler(context);
            return;
        }

        var appId = context.Request.Query["appid"].ToString();
        _received.GetOrAdd(appId, _ => new()).Enqueue(new ReceivedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.Query.ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.Ordinal),
            context.Connection.Id));

        if (_behaviours.TryGetValue(appId, out var behaviour))
        {
            await behaviour(context);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    public static RequestDelegate Answer(string body, string contentType = "application/json", int status = 200) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, context.RequestAborted);
    };

    public static RequestDelegate AnswerBytes(byte[] body) => async context =>
    {
        context.Response.ContentType = "text/plain";
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    };

    /// <summary>Never answers (until the client goes away).</summary>
    public static RequestDelegate Hang() => async context =>
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    };

    /// <summary>Sends headers and part of the body, then stalls.</summary>
    public static RequestDelegate HangMidBody() => async context =>
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 100;
        await context.Response.WriteAsync("{\"openid\":", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    };

    /// <summary>Reads the request and closes the connection without a response.</summary>
    public static RequestDelegate CloseConnection() => context =>
    {
        context.Abort();
        return Task.CompletedTask;
    };
}
