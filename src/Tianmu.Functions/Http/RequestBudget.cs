namespace Tianmu.Functions.Http;

/// <summary>
/// Starts the time budget of one request (<c>Tianmu__Login__Budget</c>, docs/API.md "Operator configuration"): a login
/// spends it on WeChat and storage together, every other request on its storage work.
/// </summary>
public sealed class RequestBudgets(TimeSpan budget)
{
    /// <summary>The budget of one request.</summary>
    public TimeSpan Budget { get; } = budget;

    /// <summary>Starts a budget now; dispose it when the request ends.</summary>
    public RequestBudget Start(CancellationToken requestAborted) => new(Budget, requestAborted);
}

/// <summary>
/// The deadline of one request. Work run through <see cref="RunAsync{T}"/> that outlives it answers 503
/// <c>upstream_unavailable</c> ("nothing was changed"); the caller's own cancellation passes through unchanged.
/// Several calls share one deadline, so authentication and the write of a request fit in one budget together.
/// </summary>
public sealed class RequestBudget : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationToken _requestAborted;

    internal RequestBudget(TimeSpan budget, CancellationToken requestAborted)
    {
        _requestAborted = requestAborted;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _deadline.CancelAfter(budget);
    }

    /// <summary>Cancelled when the budget is spent or the request is aborted.</summary>
    public CancellationToken Token => _deadline.Token;

    /// <summary>True once the budget (not the caller) cancelled the work.</summary>
    public bool IsExceeded(OperationCanceledException exception) =>
        exception is not null && _deadline.IsCancellationRequested && !_requestAborted.IsCancellationRequested;

    /// <summary>Runs <paramref name="work"/> within the budget; 503 when the budget runs out first.</summary>
    /// <exception cref="ApiException"><c>upstream_unavailable</c> when the budget is spent.</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, string detail = "Profile storage did not answer within the time budget; nothing was changed. Retry shortly.")
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return await work(_deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (IsExceeded(exception))
        {
            throw new ApiException(ApiErrorCode.UpstreamUnavailable, detail);
        }
    }

    public void Dispose() => _deadline.Dispose();
}
