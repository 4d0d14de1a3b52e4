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

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SealRequest))]
[JsonSerializable(typeof(SimulatorError))]
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

        return endpoints;
    }

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
