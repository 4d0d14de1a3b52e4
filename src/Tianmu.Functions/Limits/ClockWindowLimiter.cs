using System.Threading.RateLimiting;

namespace Tianmu.Functions.Limits;

/// <summary>
/// A fixed-window limiter of one partition on the app's <see cref="TimeProvider"/>: at most <c>permitLimit</c> permits
/// in each window, windows aligned on the clock (a one-minute window starts at each whole minute), so a refusal
/// knows exactly when the next permit comes (its <see cref="MetadataName.RetryAfter"/>). The library's
/// <see cref="FixedWindowRateLimiter"/> reports the whole window instead and runs on the wall clock, which a test
/// cannot move.
/// </summary>
/// <remarks>
/// It holds no resources, so a use racing its reclamation by <see cref="PartitionedRateLimiter"/> (which disposes
/// partitions idle for a while) is harmless. A partition is idle once its window has passed with permits left, or
/// once it has none counted.
/// </remarks>
internal sealed class ClockWindowLimiter(int permitLimit, TimeSpan window, TimeProvider time, Action onDisposed) : RateLimiter
{
    private static readonly RateLimitLease Granted = new Lease(true, null);
    private readonly Lock _gate = new();
    private long _windowIndex = long.MinValue;
    private int _used;
    private int _disposed;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                var end = WindowEnd(_windowIndex);
                return _used == 0 || now >= end ? (now >= end ? now - end : TimeSpan.Zero) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Roll();
            return new RateLimiterStatistics { CurrentAvailablePermits = permitLimit - _used };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_gate)
        {
            Roll();
            // permitCount 0 asks whether a permit is left, taking none.
            if (_used + Math.Max(permitCount, 1) <= permitLimit)
            {
                _used += permitCount;
                return Granted;
            }

            return new Lease(false, WindowEnd(_windowIndex) - time.GetUtcNow());
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            onDisposed();
        }

        base.Dispose(disposing);
    }

    private void Roll()
    {
        var index = time.GetUtcNow().UtcTicks / window.Ticks;
        if (index != _windowIndex)
        {
            _windowIndex = index;
            _used = 0;
        }
    }

    private DateTimeOffset WindowEnd(long index) =>
        index == long.MinValue ? DateTimeOffset.MinValue : new DateTimeOffset((index + 1) * window.Ticks, TimeSpan.Zero);

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } value && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = value;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
