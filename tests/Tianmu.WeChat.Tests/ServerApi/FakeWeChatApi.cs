using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tianmu.WeChat.Tests.Sessions;

namespace Tianmu.WeChat.Tests.ServerApi;

/// <summary>A POST as the fake received it: path (without the scope), access_token query value, JSON body.</summary>
public sealed record ApiRequest(string Path, string? AccessToken, JsonElement Body, string ContentType)
{
    public bool? ForceRefresh => Body.TryGetProperty("force_refresh", out var value) ? value.GetBoolean() : null;
}

/// <summary>What a scope answers: (status, content type, body), or null to hang until the client goes away.</summary>
public delegate Task<(int Status, string ContentType, string Body)?> ApiBehaviour(ApiRequest request, int index);

/// <summary>
/// WeChat's server API (stable_token and the content checks) on the tests' one <see cref="FakeWeChatServer"/>. Each test
/// takes its own scope, a first path segment, and uses <c>BaseUrl(scope)</c> as its <c>ApiBaseUrl</c>, so tests sharing
/// the server stay independent; requests are recorded per scope.
/// </summary>
public sealed class FakeWeChatApi : IAsyncLifetime
{
    private readonly FakeWeChatServer _server = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ApiRequest>> _received = new(StringComparer.Ordinal);

    public ValueTask InitializeAsync() => _server.InitializeAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>A fresh scope whose requests get <paramref name="behaviour"/>.</summary>
    public string NewScope(ApiBehaviour behaviour)
    {
        ArgumentNullException.ThrowIfNull(behaviour);
        string scope = string.Empty;
        scope = _server.NewScope(context => HandleAsync(context, scope, behaviour));
        return scope;
    }

    public Uri BaseUrl(string scope) => new(_server.BaseUrl, scope + "/");

    public IReadOnlyList<ApiRequest> ReceivedBy(string scope, string path) =>
        _received.TryGetValue(scope, out var queue) ? [.. queue.Where(r => r.Path == path)] : [];

    private async Task HandleAsync(HttpContext context, string scope, ApiBehaviour behaviour)
    {
        var segments = (context.Request.Path.Value ?? "").TrimStart('/').Split('/', 2);
        if (segments.Length < 2)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        var request = new ApiRequest(
            "/" + segments[1],
            context.Request.Query.TryGetValue("access_token", out var token) ? token.ToString() : null,
            document.RootElement.Clone(),
            context.Request.ContentType ?? "");
        var queue = _received.GetOrAdd(scope, _ => new());
        int index;
        lock (queue)
        {
            index = queue.Count(r => r.Path == request.Path);
            queue.Enqueue(request);
        }

        var answer = await behaviour(request, index);
        if (answer is not { } a)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }

            return;
        }

        context.Response.StatusCode = a.Status;
        context.Response.ContentType = a.ContentType;
        await context.Response.WriteAsync(a.Body, context.RequestAborted);
    }

    public static Task<(int, string, string)?> Json(string body, string contentType = "text/plain") =>
        Task.FromResult<(int, string, string)?>((200, contentType, body));

    public static Task<(int, string, string)?> Status(int status) =>
        Task.FromResult<(int, string, string)?>((status, "text/plain", ""));

    public static Task<(int, string, string)?> Hang() => Task.FromResult<(int, string, string)?>(null);
}
