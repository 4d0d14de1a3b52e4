using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Tianmu.Functions.Apps;

namespace Tianmu.LocalHost.Simulator;

/// <summary>The body of <c>POST /simulator/userinfo</c>: which user, and what the user-info button would reveal.</summary>
public sealed record SealRequest : SimulatedUserInfo
{
    [JsonPropertyName("app_id")]
    public string? AppId { get; init; }

    /// <summary>The user's open id, or leave it out and give the simulator code (<c>test-&lt;name&gt;</c>).</summary>
    [JsonPropertyName("open_id")]
    public string? OpenId { get; init; }

    [JsonPropertyName("code")]
    public string? Code { get; init; }
}

public sealed record SimulatorError(string Error);

/// <summary>The body of <c>POST /simulator/push</c>: which user, which event, which mode.</summary>
public sealed record SimulatedPushRequest
{
    [JsonPropertyName("app_id")]
    public string? AppId { get; init; }

    /// <summary>The user's open id, or leave it out and give the simulator code (<c>test-&lt;name&gt;</c>).</summary>
    [JsonPropertyName("open_id")]
    public string? OpenId { get; init; }

    [JsonPropertyName("code")]
    public string? Code { get; init; }

    /// <summary><c>user_authorization_revoke</c>, <c>user_info_modified</c>, <c>user_authorization_cancellation</c> or any other.</summary>
    [JsonPropertyName("event")]
    public string? Event { get; init; }

    /// <summary>For <c>user_authorization_revoke</c>: <c>6</c>, <c>19</c>, <c>20</c> or several, comma-separated.</summary>
    [JsonPropertyName("revoke_info")]
    public string? RevokeInfo { get; init; }

    /// <summary><c>safe</c> or <c>plain</c>; by default safe when the app has a push AES key.</summary>
    [JsonPropertyName("mode")]
    public string? Mode { get; init; }
}

/// <summary>What the host's push route answered the simulated push.</summary>
public sealed record SimulatedPushAnswer(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("body")] string Body);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SealRequest))]
[JsonSerializable(typeof(SimulatorError))]
[JsonSerializable(typeof(SimulatedPushRequest))]
[JsonSerializable(typeof(SimulatedPushAnswer))]
public sealed partial class SimulatorEndpointJson : JsonSerializerContext;

/// <summary>The simulator's routes, outside <c>/api</c> like WeChat's own.</summary>
public static class SimulatorEndpoints
{
    public static IEndpointRouteBuilder MapWeChatSimulator(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/sns/jscode2session", (HttpRequest request, WeChatSimulator simulator) =>
        {
            var query = request.Query;
            var body = simulator.JsCode2Session(query["appid"], query["secret"], query["js_code"], query["grant_type"]);
            // Like WeChat: JSON labelled text/plain.
            return Results.Text(body, "text/plain", System.Text.Encoding.UTF8);
        });

        endpoints.MapPost("/cgi-bin/stable_token", async (HttpRequest request, WeChatServerApiSimulator api) =>
            Results.Text(api.StableToken(await ReadJsonAsync(request)), "application/json", System.Text.Encoding.UTF8));
        endpoints.MapPost("/wxa/msg_sec_check", async (HttpRequest request, WeChatServerApiSimulator api) =>
            Results.Text(api.MsgSecCheck(request.Query["access_token"], await ReadJsonAsync(request)), "application/json", System.Text.Encoding.UTF8));
        endpoints.MapPost("/wxa/media_check_async", async (HttpRequest request, WeChatServerApiSimulator api) =>
            Results.Text(api.MediaCheckAsync(request.Query["access_token"], await ReadJsonAsync(request)), "application/json", System.Text.Encoding.UTF8));

        // How often the host fetched an access token since it started (the load run checks: once per app per lifetime).
        endpoints.MapGet("/simulator/stats", (WeChatServerApiSimulator api) =>
            Results.Text($"{{\"stable_token_calls\":{api.StableTokenCalls}}}", "application/json", System.Text.Encoding.UTF8));

        endpoints.MapPost("/simulator/userinfo", async Task<Results<JsonHttpResult<SealedUserInfo>, JsonHttpResult<SimulatorError>>> (HttpRequest request, WeChatSimulator simulator, AppRegistry apps) =>
        {
            SealRequest? seal;
            try
            {
                seal = await JsonSerializer.DeserializeAsync(request.Body, SimulatorEndpointJson.Default.SealRequest, request.HttpContext.RequestAborted);
            }
            catch (JsonException)
            {
                seal = null;
            }

            if (seal?.AppId is not { } appId || !apps.Contains(appId))
            {
                return Error(400, "Give app_id of a configured app.");
            }

            var openId = seal.OpenId;
            if (openId is null && seal.Code is { } code && code.StartsWith(WeChatSimulator.TestCodePrefix, StringComparison.Ordinal))
            {
                openId = WeChatSimulator.OpenIdOf(appId, code[WeChatSimulator.TestCodePrefix.Length..]);
            }

            if (openId is null)
            {
                return Error(400, "Give open_id, or code as used to log in (test-<name>).");
            }

            return simulator.Seal(appId, openId, seal) is { } sealedInfo
                ? TypedResults.Json(sealedInfo, SimulatorJson.Web.SealedUserInfo)
                : Error(404, "This user has not logged in through the simulator since it started; log in first.");
        });

        endpoints.MapPost("/simulator/push", async Task<Results<JsonHttpResult<SimulatedPushAnswer>, JsonHttpResult<SimulatorError>>> (HttpRequest request, WeChatSimulator simulator, AppRegistry apps, IHttpClientFactory clients) =>
        {
            SimulatedPushRequest? push;
            try
            {
                push = await JsonSerializer.DeserializeAsync(request.Body, SimulatorEndpointJson.Default.SimulatedPushRequest, request.HttpContext.RequestAborted);
            }
            catch (JsonException)
            {
                push = null;
            }

            if (push?.AppId is not { } appId || !apps.Contains(appId))
            {
                return Error(400, "Give app_id of a configured app.");
            }

            if (!apps.TryGetPush(appId, out var credentials))
            {
                return Error(400, $"App {appId} has no push token: set Tianmu__Apps__{appId}__PushToken (and __PushAesKey for safe mode).");
            }

            var openId = push.OpenId;
            if (openId is null && push.Code is { } code && code.StartsWith(WeChatSimulator.TestCodePrefix, StringComparison.Ordinal))
            {
                openId = WeChatSimulator.OpenIdOf(appId, code[WeChatSimulator.TestCodePrefix.Length..]);
            }

            if (openId is null || string.IsNullOrEmpty(push.Event))
            {
                return Error(400, "Give event, and open_id or code as used to log in (test-<name>).");
            }

            var safe = push.Mode switch
            {
                "safe" => true,
                "plain" => false,
                null => credentials.AesKey is not null,
                _ => (bool?)null,
            };
            if (safe is null || (safe.Value && credentials.AesKey is null))
            {
                return Error(400, "mode is safe (needs the app's PushAesKey) or plain.");
            }

            var (query, body) = simulator.SignPush(appId, credentials, simulator.PushMessage(appId, openId, push.Event, push.RevokeInfo), safe.Value);
            var self = new Uri($"{request.Scheme}://{request.Host}/api/wechat/push/{Uri.EscapeDataString(appId)}?{query}");
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var answer = await clients.CreateClient(PushClientName).PostAsync(self, content, request.HttpContext.RequestAborted);
            return TypedResults.Json(
                new SimulatedPushAnswer(safe.Value ? "safe" : "plain", (int)answer.StatusCode, await answer.Content.ReadAsStringAsync(request.HttpContext.RequestAborted)),
                SimulatorEndpointJson.Default.SimulatedPushAnswer);
        });

        return endpoints;
    }

    /// <summary>The HTTP client the simulator posts pushes with: it logs nothing (a push's URL carries signatures).</summary>
    public const string PushClientName = "wechat-simulator-push";
    private static async Task<JsonElement> ReadJsonAsync(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static JsonHttpResult<SimulatorError> Error(int status, string message) =>
        TypedResults.Json(new SimulatorError(message), SimulatorEndpointJson.Default.SimulatorError, statusCode: status);
}
