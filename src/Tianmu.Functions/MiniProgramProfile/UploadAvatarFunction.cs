using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.MiniProgramProfile;

/// <summary><c>POST /api/profile/avatar</c> (docs/API.md, "Profile for mini-programs").</summary>
public sealed class UploadAvatarFunction(BearerAuthenticator bearer, AvatarService avatars, RequestBudgets budgets)
{
    [Function("UploadAvatar")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "profile/avatar")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            // The contract's order: size and media type, then the token, then the body, then storage and WeChat.
            var contentType = RawBody.CheckHeaders(request, AvatarImage.MaxBytes, AvatarImage.MediaTypes);
            using var budget = budgets.Start(cancellationToken);
            var caller = await bearer.AuthenticateAsync(request, budget).ConfigureAwait(false);
            var bytes = await RawBody.ReadCheckedAsync(request, AvatarImage.MaxBytes, cancellationToken).ConfigureAwait(false);
            var updated = await avatars.UploadAsync(caller, AvatarImage.From(bytes, contentType), budget).ConfigureAwait(false);
            return TypedResults.Json(updated, ProfileJson.Web.ProfileResponse);
        });
}
