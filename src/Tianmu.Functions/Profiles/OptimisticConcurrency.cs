using Microsoft.Extensions.Logging;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Profiles;

/// <summary>What one attempt of a read–change–conditional-write came to.</summary>
/// <typeparam name="T">What the write answers once it landed.</typeparam>
public readonly record struct WriteAttempt<T>(bool Landed, T Value);

/// <summary>The two outcomes of one attempt.</summary>
public static class WriteAttempt
{
    /// <summary>Someone wrote the row since it was read (412, or 409 on an add): read again and retry.</summary>
    public static WriteAttempt<T> Conflict<T>() => default;

    /// <summary>The write landed (or nothing needed writing).</summary>
    public static WriteAttempt<T> Done<T>(T value) => new(true, value);
}

/// <summary>
/// The one retry loop of the table's optimistic concurrency (docs/API.md, "Storage"): each attempt reads, applies its
/// change and writes conditionally on the ETag it read; a lost race waits a full-jitter pause growing from 2 ms to
/// 100 ms and tries again, so that 32 concurrent writers to one row all land well within the request budget. After
/// <see cref="MaxAttempts"/> lost races the request answers 503 <c>upstream_unavailable</c> (nothing was changed).
/// </summary>
public sealed partial class OptimisticConcurrency(ILogger<OptimisticConcurrency> logger)
{
    /// <summary>Attempts per request; the request budget is the real bound.</summary>
    public const int MaxAttempts = 64;

    /// <summary>Runs <paramref name="attempt"/> until it lands.</summary>
    /// <param name="appId">For the log line when the row stays too busy.</param>
    /// <param name="attempt">One read–change–conditional-write; its argument is the attempt number, from 0.</param>
    /// <param name="cancellationToken">The request budget's token.</param>
    /// <exception cref="ApiException"><c>upstream_unavailable</c> after <see cref="MaxAttempts"/> lost races.</exception>
    public async Task<T> RunAsync<T>(string appId, Func<int, Task<WriteAttempt<T>>> attempt, CancellationToken cancellationToken)
    {
        var result = await TryRunAsync(attempt, cancellationToken).ConfigureAwait(false);
        if (result.Landed)
        {
            return result.Value;
        }

        LogTooManyConflicts(logger, appId, MaxAttempts);
        throw new ApiException(ApiErrorCode.UpstreamUnavailable, "The profile is too busy to update right now; nothing was changed. Retry shortly.");
    }

    /// <summary>Runs <paramref name="attempt"/> until it lands; <see cref="WriteAttempt.Conflict{T}"/> when every attempt lost.</summary>
    public static async Task<WriteAttempt<T>> TryRunAsync<T>(Func<int, Task<WriteAttempt<T>>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        for (var number = 0; number < MaxAttempts; number++)
        {
            if (number > 0)
            {
                // A physical pause on the real clock, not the app's TimeProvider: a test's fake clock must not freeze it.
                var ceiling = Math.Min(100, 2 << Math.Min(number, 6));
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceiling)), cancellationToken).ConfigureAwait(false);
            }

            var result = await attempt(number).ConfigureAwait(false);
            if (result.Landed)
            {
                return result;
            }
        }

        return WriteAttempt.Conflict<T>();
    }

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "A write in app {AppId} gave up after {Attempts} conflicting attempts")]
    private static partial void LogTooManyConflicts(ILogger logger, string appId, int attempts);
}
