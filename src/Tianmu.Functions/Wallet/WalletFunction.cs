using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.Wallet;

/// <summary><c>GET /api/wallet</c> (docs/API.md, "Wallet"): the player's balances and ledger, newest first.</summary>
public sealed class WalletFunction(BearerAuthenticator bearer, WalletService wallet, RequestBudgets budgets)
{
    [Function("Wallet")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "wallet")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            using var budget = budgets.Start(cancellationToken);
            var caller = await bearer.AuthenticateAsync(request, budget).ConfigureAwait(false);
            var cursors = request.Query["cursor"];
            if (cursors.Count > 1)
            {
                throw ApiException.InvalidRequest("cursor may be given once.");
            }

            var answer = await wallet.ReadAsync(caller, cursors.Count == 1 ? cursors[0] ?? string.Empty : null, budget).ConfigureAwait(false);
            return TypedResults.Json(answer, WalletJson.Default.WalletResponse);
        });
}
