namespace Tianmu.Functions.Profiles;

/// <summary>
/// The pause before retrying a write that lost an optimistic-concurrency race: full jitter, growing from
/// 2 ms to 100 ms, so that 32 concurrent writers to one row all finish well within the login budget.
/// </summary>
public static class ConflictBackoff
{
    /// <summary>Write attempts per request; the login budget is the real bound.</summary>
    public const int MaxAttempts = 64;

    public static Task DelayAsync(int attempt, TimeProvider time, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(100, 2 << Math.Min(attempt, 6));
        return Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceiling)), time, cancellationToken);
    }
}
