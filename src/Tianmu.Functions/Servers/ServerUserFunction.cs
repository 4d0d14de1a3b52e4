using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Servers;

/// <summary><c>GET /api/server/apps/{app_id}/users/{open_id}</c> (docs/API.md, "Server routes").</summary>
public sealed class ServerUserFunction(ServerKeyAuthenticator serverKeys, ServerUsers users, RequestBudgets budgets)
{
    [Function("ServerUser")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "server/apps/{appId}/users/{openId}")] HttpRequest request,
        string appId,
        string openId,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            serverKeys.Authenticate(request, appId);
            using var budget = budgets.Start(cancellationToken);
            var profile = await users.FindAsync(appId, openId, budget).ConfigureAwait(false);
            return TypedResults.Json(profile, ProfileJson.Web.ProfileResponse);
        });
}
