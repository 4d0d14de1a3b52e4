using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.Play;

/// <summary><c>POST /api/play/share</c> (docs/API.md, "Play time and shares").</summary>
public sealed class ShareFunction(BearerAuthenticator bearer, PlayService play, RequestBudgets budgets)
{
    [Function("PlayShare")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "play/share")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            JsonBody.CheckHeaders(request);
            using var budget = budgets.Start(cancellationToken);
            var caller = await bearer.AuthenticateAsync(request, budget).ConfigureAwait(false);
            var body = await JsonBody.ReadCheckedAsync(request, PlayJson.Default.ShareRequest, cancellationToken).ConfigureAwait(false);
            var share = await play.ShareAsync(caller, body, budget).ConfigureAwait(false);
            return TypedResults.Json(share, PlayJson.Default.ShareResponse);
        });
}
