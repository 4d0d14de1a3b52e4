using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Limits;

/// <summary>
/// What one client may cost (docs/API.md, "Abuse limits"), in this instance's memory: partitioned fixed windows
/// (<see cref="PartitionedRateLimiter"/>, one small limiter per key, reclaimed once idle, so memory stays bounded by the
/// keys active in the last window however many keys come by). Over a limit: 429 <c>rate_limited</c> with
/// <c>Retry-After</c> = whole seconds until a request can succeed; the rejected request changes nothing. A limit of 0 is off.
/// </summary>
public sealed partial class AbuseLimits : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly PartitionedRateLimiter<string>? _users;
    private readonly PartitionedRateLimiter<string>? _rejectedLogins;
    private readonly PartitionedRateLimiter<string>? _servers;
    private readonly ILogger<AbuseLimits> _logger;
    private int _partitions;

    public AbuseLimits(IOptions<LimitsOptions> options, TimeProvider time, ILogger<AbuseLimits> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var limits = options.Value;
        _logger = logger;
        _users = Create(limits.UserRequestsPerMinute, Minute, time);
        _rejectedLogins = Create(limits.RejectedLoginsPerIpPerMinute, Minute, time);
        _servers = Create(limits.ServerRequestsPerSecond, Second, time);
    }

    /// <summary>Limiters currently held (one per active key and limit); idle ones are reclaimed within seconds.</summary>
    public int ActivePartitions => Volatile.Read(ref _partitions);

    /// <summary>
    /// Counts one request of a Bearer route for the user, after the token was validated and before anything else
    /// (<c>Tianmu__Limits__UserRequestsPerMinute</c>).
    /// </summary>
    /// <exception cref="ApiException">429 <c>rate_limited</c> over the limit.</exception>
    public void AcquireUserRequest(string appId, string openId)
    {
        if (_users is not null && !TryAcquire(_users, appId + "\n" + openId, 1, out var retryAfter))
        {
            LogLimited(_logger, "user", appId);
            throw RateLimited(retryAfter, "Too many requests from this user; retry after the time in Retry-After.");
        }
    }

    /// <summary>
    /// Counts one request of a server route for the app (<c>Tianmu__Limits__ServerRequestsPerSecond</c>); the server-key
    /// authenticator calls it once the key is verified.
    /// </summary>
    /// <returns>True when the request may go on; else false and the time until one can.</returns>
    public bool TryAcquireServerRequest(string appId, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        return _servers is null || TryAcquire(_servers, appId, 1, out retryAfter);
    }

    /// <summary><see cref="TryAcquireServerRequest"/> that throws 429 <c>rate_limited</c> over the limit.</summary>
    /// <exception cref="ApiException">429 <c>rate_limited</c>.</exception>
    public void AcquireServerRequest(string appId)
    {
        if (!TryAcquireServerRequest(appId, out var retryAfter))
        {
            LogLimited(_logger, "server", appId);
            throw RateLimited(retryAfter, "Too many server requests for this app; retry after the time in Retry-After.");
        }
    }

    /// <summary>
    /// Refuses a login from <paramref name="client"/> once WeChat rejected <c>RejectedLoginsPerIpPerMinute</c> of its
    /// logins this minute, before WeChat is called; an unknown client IP is never limited.
    /// </summary>
    /// <exception cref="ApiException">429 <c>rate_limited</c> until the minute is over.</exception>
    public void CheckLogin(IPAddress? client)
    {
        if (_rejectedLogins is not null && client is not null && !TryAcquire(_rejectedLogins, Key(client), 0, out var retryAfter))
        {
            LogLimited(_logger, "rejected logins per IP", string.Empty);
            throw RateLimited(retryAfter, "Too many rejected logins from this address; retry after the time in Retry-After.");
        }
    }

    /// <summary>Counts a login of <paramref name="client"/> that WeChat rejected (<c>invalid_code</c>).</summary>
    public void RecordRejectedLogin(IPAddress? client)
    {
        if (_rejectedLogins is not null && client is not null)
        {
            _ = TryAcquire(_rejectedLogins, Key(client), 1, out _);
        }
    }

    /// <summary>The answer over a limit: <c>Retry-After</c> in whole seconds, at least 1.</summary>
    public static ApiException RateLimited(TimeSpan retryAfter, string detail) =>
        new(ApiErrorCode.RateLimited, detail)
        {
            RetryAfterSeconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)),
        };

    public void Dispose()
    {
        _users?.Dispose();
        _rejectedLogins?.Dispose();
        _servers?.Dispose();
    }

    private static string Key(IPAddress client) => client.ToString();

    private static bool TryAcquire(PartitionedRateLimiter<string> limiter, string key, int permits, out TimeSpan retryAfter)
    {
        using var lease = limiter.AttemptAcquire(key, permits);
        retryAfter = !lease.IsAcquired && lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.Zero;
        return lease.IsAcquired;
    }

    private PartitionedRateLimiter<string>? Create(int permitLimit, TimeSpan window, TimeProvider time) =>
        permitLimit == 0
            ? null
            : PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, _ =>
            {
                Interlocked.Increment(ref _partitions);
                return new ClockWindowLimiter(permitLimit, window, time, () => Interlocked.Decrement(ref _partitions));
            }), StringComparer.Ordinal);

    [LoggerMessage(EventId = 13010, Level = LogLevel.Debug, Message = "A request over the {Limit} limit was refused with 429 (app {AppId})")]
    private static partial void LogLimited(ILogger logger, string limit, string appId);
}
