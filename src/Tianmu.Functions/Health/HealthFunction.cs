using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Tianmu.Functions.Health;

public sealed record HealthStatus(string Status);

[JsonSerializable(typeof(HealthStatus))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
public sealed partial class HealthJson : JsonSerializerContext;

/// <summary>Liveness for start-up polling and deployment smoke tests: touches neither storage nor WeChat.</summary>
public sealed class HealthFunction
{
    private static readonly HealthStatus Ok = new("ok");

    [Function("Health")]
    public static IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        TypedResults.Json(Ok, HealthJson.Default.HealthStatus);
}
