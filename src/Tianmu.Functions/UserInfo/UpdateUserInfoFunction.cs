using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.UserInfo;

public sealed class UpdateUserInfoFunction(UserInfoService userInfo)
{
    [Function("UpdateUserInfo")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "updateUserInfo")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            // The contract's order: size and media type, then the token, then the body.
            JsonBody.CheckHeaders(request);
            var profile = await userInfo.AuthenticateAsync(request.Headers.Authorization, cancellationToken).ConfigureAwait(false);
            var body = await JsonBody.ReadAsync(request, UpdateUserInfoJson.Default.UpdateUserInfoRequest, cancellationToken).ConfigureAwait(false);
            var updated = await userInfo.UpdateAsync(profile, body, cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(updated, ProfileJson.Web.ProfileResponse);
        });
}
