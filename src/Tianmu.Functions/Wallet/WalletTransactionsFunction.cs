using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;
using Tianmu.Functions.Servers;

namespace Tianmu.Functions.Wallet;

/// <summary><c>POST /api/server/apps/{app_id}/wallet/transactions</c> (docs/API.md, "Wallet"): a studio's server changes a balance.</summary>
public sealed class WalletTransactionsFunction(ServerKeyAuthenticator serverKeys, WalletService wallet, RequestBudgets budgets)
{
    [Function("WalletTransactions")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "server/apps/{appId}/wallet/transactions")] HttpRequest request,
        string appId,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            // The contract's order: size and media type, the server key, then the body.
            JsonBody.CheckHeaders(request);
            serverKeys.Authenticate(request, appId);
            var body = await JsonBody.ReadCheckedAsync(request, WalletJson.Default.WalletTransactionRequest, cancellationToken).ConfigureAwait(false);
            var posting = wallet.Validate(appId, body);
            using var budget = budgets.Start(cancellationToken);
            var answer = await wallet.ApplyAsync(posting, budget).ConfigureAwait(false);
            return TypedResults.Json(answer, WalletJson.Default.WalletTransactionResponse);
        });
}
