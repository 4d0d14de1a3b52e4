using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.Play;

/// <summary><c>POST /api/play/heartbeat</c> (docs/API.md, "Play time and shares").</summary>
public sealed class HeartbeatFunction(BearerAuthenticator bearer, PlayService play, RequestBudgets budgets)
{
    [Function("PlayHeartbeat")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "play/heartbeat")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            // The contract's order: size and media type, then the token, then the body; one budget for the read and the write.
            JsonBody.CheckHeaders(request);
            using var budget = budgets.Start(cancellationToken);
            var caller = await bearer.AuthenticateAsync(request, budget).ConfigureAwait(false);
            var body = await JsonBody.ReadCheckedAsync(request, PlayJson.Default.HeartbeatRequest, cancellationToken).ConfigureAwait(false);
            var beat = await play.HeartbeatAsync(caller, body, budget).ConfigureAwait(false);
            return TypedResults.Json(beat, PlayJson.Default.HeartbeatResponse);
        });
}
