using System.Text.RegularExpressions;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Wallet;

/// <summary>
/// The wallet's rules (docs/API.md, "Wallet"): validates a studio server's transaction into a
/// <see cref="WalletPosting"/>, applies it through <see cref="WalletLedger"/> and maps its outcome to the contract;
/// reads a player's wallet page by page.
/// </summary>
public sealed partial class WalletService(WalletLedger ledger, TimeProvider time)
{
    /// <summary>Largest absolute <c>delta</c> of one transaction.</summary>
    public const long MaxDelta = 1_000_000_000;

    /// <summary>Longest <c>reason</c>, in characters (UTF-16 code units).</summary>
    public const int MaxReasonLength = 64;

    /// <summary>Ledger entries per page of <c>GET /api/wallet</c>.</summary>
    public const int PageSize = 50;

    /// <summary>The pattern of <c>idempotency_key</c>, <c>^[A-Za-z0-9_-]{8,64}$</c> (no trailing newline either).</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_-]{8,64}\z", RegexOptions.CultureInvariant)]
    public static partial Regex IdempotencyKeyPattern();

    /// <summary>The rules of the body as one validated value.</summary>
    /// <exception cref="ApiException">400 <c>invalid_request</c> naming the first field that breaks its rule.</exception>
    public WalletPosting Validate(string appId, WalletTransactionRequest body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!ProfileKeys.IsLegalId(body.OpenId) || body.OpenId.EndsWith('\n'))
        {
            throw ApiException.InvalidRequest("open_id is required: 1-64 letters, digits, _ or -.");
        }

        if (body.Currency is not (WalletLedger.Gold or WalletLedger.Diamond))
        {
            throw ApiException.InvalidRequest("currency is required: gold or diamond.");
        }

        if (body.Delta is not { } delta || delta == 0 || delta is > MaxDelta or < -MaxDelta)
        {
            throw ApiException.InvalidRequest("delta is required: an integer, not 0, at most 1000000000 in absolute value.");
        }

        if (string.IsNullOrEmpty(body.Reason) || body.Reason.Length > MaxReasonLength)
        {
            throw ApiException.InvalidRequest("reason is required: 1-64 characters.");
        }

        if (body.IdempotencyKey is null || !IdempotencyKeyPattern().IsMatch(body.IdempotencyKey))
        {
            throw ApiException.InvalidRequest("idempotency_key is required: 8-64 letters, digits, _ or -.");
        }

        return new WalletPosting(appId, body.OpenId, body.Currency, delta, body.Reason, body.IdempotencyKey, time.GetUtcNow().ToUnixTimeSeconds());
    }

    /// <summary>Applies a validated transaction exactly once and answers it (the first answer again on a replay).</summary>
    /// <exception cref="ApiException">409 <c>idempotency_conflict</c>, <c>insufficient_funds</c>, <c>balance_limit</c>;
    /// 404 <c>unknown_user</c>; 503 <c>upstream_unavailable</c>. Nothing changed in any of them.</exception>
    public async Task<WalletTransactionResponse> ApplyAsync(WalletPosting posting, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(posting);
        ArgumentNullException.ThrowIfNull(budget);
        var outcome = await budget.RunAsync(token => ledger.PostAsync(posting, token)).ConfigureAwait(false);
        return outcome.Kind switch
        {
            WalletOutcomeKind.Applied => Answer(outcome.Entry!, replayed: false),
            WalletOutcomeKind.Replayed => Answer(outcome.Entry!, replayed: true),
            WalletOutcomeKind.IdempotencyConflict => throw new ApiException(ApiErrorCode.IdempotencyConflict, "This idempotency_key was already used for this user with another currency, delta or reason."),
            WalletOutcomeKind.InsufficientFunds => throw new ApiException(ApiErrorCode.InsufficientFunds, "The debit is larger than the balance; nothing was changed."),
            WalletOutcomeKind.BalanceLimit => throw new ApiException(ApiErrorCode.BalanceLimit, "The credit would take the balance over 9007199254740991; nothing was changed."),
            _ => throw new ApiException(ApiErrorCode.UnknownUser, "This open_id has no profile in this app."),
        };
    }

    /// <summary>The caller's balances and one page of their ledger, newest first.</summary>
    /// <exception cref="ApiException">400 <c>invalid_request</c> for a cursor that no page gave; 503 when storage fails.</exception>
    public async Task<WalletResponse> ReadAsync(ProfileEntity caller, string? cursor, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(budget);
        var page = await budget.RunAsync(token => ledger.ReadAsync(caller, cursor, PageSize, token)).ConfigureAwait(false);
        return new WalletResponse(caller.Gold, caller.Diamond, [.. page.Entries.Select(entry => Answer(entry, replayed: null))], page.Next);
    }

    private static WalletTransactionResponse Answer(WalletEntryEntity entry, bool? replayed) => new()
    {
        TransactionId = entry.TransactionId,
        OpenId = entry.OpenId,
        Currency = entry.Currency,
        Delta = entry.Delta,
        Reason = entry.Reason,
        Balance = entry.Balance,
        CreatedAt = entry.CreatedAt,
        Replayed = replayed,
    };
}
