using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.MiniProgramProfile;

/// <summary><c>POST /api/profile</c> (docs/API.md, "Profile for mini-programs").</summary>
public sealed class UpdateProfileFunction(BearerAuthenticator bearer, MiniProgramProfileService profile, RequestBudgets budgets)
{
    [Function("UpdateProfile")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "profile")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            // The contract's order: size and media type, then the token, then the body, then WeChat.
            JsonBody.CheckHeaders(request);
            using var budget = budgets.Start(cancellationToken);
            var caller = await bearer.AuthenticateAsync(request, budget).ConfigureAwait(false);
            var body = await JsonBody.ReadCheckedAsync(request, UpdateProfileJson.Default.UpdateProfileRequest, cancellationToken).ConfigureAwait(false);
            var updated = await profile.UpdateAsync(caller, body.Validate(), budget).ConfigureAwait(false);
            return TypedResults.Json(updated, ProfileJson.Web.ProfileResponse);
        });
}
