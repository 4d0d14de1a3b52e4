using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Limits;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Login;

/// <summary><c>POST /api/login</c> (docs/API.md).</summary>
public sealed class LoginFunction(LoginService login, AbuseLimits limits, IOptions<HttpOptions> http)
{
    [Function("Login")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "login")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            // The contract's order: size and media type, then the rate limit (an address whose logins WeChat keeps
            // rejecting), then the body.
            JsonBody.CheckHeaders(request);
            var client = ClientAddress.Resolve(request, http.Value.TrustForwardedFor, http.Value.ForwardedHops);
            limits.CheckLogin(client);
            var body = await JsonBody.ReadCheckedAsync(request, LoginJson.Default.LoginRequest, cancellationToken).ConfigureAwait(false);
            var profile = await login.LoginAsync(body, client, cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(profile, ProfileJson.Web.ProfileResponse);
        });
}
