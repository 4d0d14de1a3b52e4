using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Login;

public sealed class LoginFunction(LoginService login, IOptions<HttpOptions> http)
{
    [Function("Login")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "login")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            var body = await JsonBody.ReadAsync(request, LoginJson.Default.LoginRequest, cancellationToken).ConfigureAwait(false);
            var client = ClientAddress.Resolve(request, http.Value.TrustForwardedFor);
            var profile = await login.LoginAsync(body, client, cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(profile, ProfileJson.Web.ProfileResponse);
        });
}
