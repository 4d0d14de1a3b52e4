using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Tokens;

/// <summary>The body of <c>POST /api/token/refresh</c>: empty or <c>{}</c> (unknown members are ignored).</summary>
public sealed record TokenRefreshRequest;

[JsonSerializable(typeof(TokenRefreshRequest))]
[JsonSerializable(typeof(TokenRefreshResponse))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
public sealed partial class TokenJson : JsonSerializerContext;

/// <summary><c>GET /api/.well-known/jwks.json</c> (docs/API.md): the public keys a game server verifies tokens with.</summary>
public sealed class JwksFunction(SigningKeys keys)
{
    /// <summary>How long a JWKS may be cached: an operator lists a new key as previous for longer than this before removing it.</summary>
    public const string CacheControl = "public, max-age=3600";

    [Function("Jwks")]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ".well-known/jwks.json")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.HttpContext.Response.Headers.CacheControl = CacheControl;
        return TypedResults.Json(keys.Document, JwksJson.Default.JsonWebKeySetDocument);
    }
}

/// <summary><c>POST /api/token/refresh</c> (docs/API.md).</summary>
public sealed class TokenRefreshFunction(BearerAuthenticator bearer, TokenRefreshService refresh, RequestBudgets budgets)
{
    [Function("TokenRefresh")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "token/refresh")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            // The contract's order: size and media type, then the token, then the body (empty or an object).
            JsonBody.CheckHeaders(request);
            using var budget = budgets.Start(cancellationToken);
            var caller = await bearer.AuthenticateCallerAsync(request, budget).ConfigureAwait(false);
            if (MayHaveBody(request))
            {
                await JsonBody.ReadCheckedAsync(request, TokenJson.Default.TokenRefreshRequest, cancellationToken).ConfigureAwait(false);
            }

            return TypedResults.Json(refresh.Refresh(caller), TokenJson.Default.TokenRefreshResponse);
        });

    // No Content-Length 0 and a request the server says can carry a body (HTTP/1.1 chunked, HTTP/2 data frames).
    private static bool MayHaveBody(HttpRequest request) =>
        request.ContentLength is not 0 && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false;
}
