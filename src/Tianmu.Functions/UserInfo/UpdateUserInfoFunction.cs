using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.UserInfo;

/// <summary><c>POST /api/updateUserInfo</c> (docs/API.md).</summary>
public sealed class UpdateUserInfoFunction(BearerAuthenticator bearer, UserInfoService userInfo, RequestBudgets budgets)
{
    [Function("UpdateUserInfo")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "updateUserInfo")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            // The contract's order: size and media type, then the token, then the body. One budget for the
            // authentication read and the write together.
            JsonBody.CheckHeaders(request);
            using var budget = budgets.Start(cancellationToken);
            var caller = await bearer.AuthenticateAsync(request, budget).ConfigureAwait(false);
            var body = await JsonBody.ReadCheckedAsync(request, UpdateUserInfoJson.Default.UpdateUserInfoRequest, cancellationToken).ConfigureAwait(false);
            var updated = await userInfo.UpdateAsync(caller, body, budget).ConfigureAwait(false);
            return TypedResults.Json(updated, ProfileJson.Web.ProfileResponse);
        });
}
