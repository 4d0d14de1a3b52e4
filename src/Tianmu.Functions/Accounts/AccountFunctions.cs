using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Tianmu.Functions.Http;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.Accounts;

/// <summary><c>GET /api/account/export</c> (docs/API.md, "Accounts").</summary>
public sealed class ExportAccountFunction(BearerAuthenticator bearer, AccountService accounts, RequestBudgets budgets)
{
    [Function("ExportAccount")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "account/export")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            using var budget = budgets.Start(cancellationToken);
            var caller = await bearer.AuthenticateAsync(request, budget).ConfigureAwait(false);
            var export = await accounts.ExportAsync(caller, budget).ConfigureAwait(false);
            return TypedResults.Json(export, AccountJson.Web.AccountExport);
        });
}

/// <summary><c>DELETE /api/account</c> (docs/API.md, "Accounts").</summary>
public sealed class DeleteAccountFunction(BearerAuthenticator bearer, AccountService accounts, RequestBudgets budgets)
{
    [Function("DeleteAccount")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "account")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            using var budget = budgets.Start(cancellationToken);
            var caller = await bearer.AuthenticateCallerAsync(request, budget).ConfigureAwait(false);
            await accounts.DeleteAsync(caller, budget).ConfigureAwait(false);
            return TypedResults.NoContent();
        });
}
