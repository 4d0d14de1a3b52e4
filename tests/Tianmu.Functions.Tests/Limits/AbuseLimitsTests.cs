using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tianmu.Functions.Http;
using Tianmu.Functions.Limits;

namespace Tianmu.Functions.Tests.Limits;

/// <summary>docs/API.md, "Abuse limits", without a host: windows, Retry-After, keys, off switches, bounded memory.</summary>
public sealed class AbuseLimitsTests
{
    // 10 s into a minute, so the first window has 50 s left.
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 10, TimeSpan.Zero);

    private static AbuseLimits Create(FakeTimeProvider time, int users = 120, int logins = 30, int servers = 200) =>
        new(Options.Create(new LimitsOptions { UserRequestsPerMinute = users, RejectedLoginsPerIpPerMinute = logins, ServerRequestsPerSecond = servers }), time, NullLogger<AbuseLimits>.Instance);

    [Fact]
    public void A_user_gets_N_requests_a_minute_then_429_with_Retry_After_until_the_minute_is_over()
    {
        var time = new FakeTimeProvider(Start);
        using var limits = Create(time, users: 5);
        for (var i = 0; i < 5; i++)
        {
            limits.AcquireUserRequest("wxapp1", "alice");
        }

        var refused = Assert.Throws<ApiException>(() => limits.AcquireUserRequest("wxapp1", "alice"));

        Assert.Equal(ApiErrorCode.RateLimited, refused.Code);
        Assert.Equal(50, refused.RetryAfterSeconds);
        time.Advance(TimeSpan.FromSeconds(20.5));
        Assert.Equal(30, Assert.Throws<ApiException>(() => limits.AcquireUserRequest("wxapp1", "alice")).RetryAfterSeconds);
        time.Advance(TimeSpan.FromSeconds(29.5));
        limits.AcquireUserRequest("wxapp1", "alice");
    }

    [Fact]
    public void Users_are_limited_apart_per_app_and_open_id()
    {
        var time = new FakeTimeProvider(Start);
        using var limits = Create(time, users: 1);
        limits.AcquireUserRequest("wxapp1", "alice");

        limits.AcquireUserRequest("wxapp1", "bob");
        limits.AcquireUserRequest("wxapp2", "alice");
        Assert.Throws<ApiException>(() => limits.AcquireUserRequest("wxapp1", "alice"));
    }

    [Fact]
    public void At_most_N_requests_pass_in_any_one_minute_window_aligned_on_the_minute()
    {
        var time = new FakeTimeProvider(Start);
        using var limits = Create(time, users: 120);
        var random = new Random(7);
        var passed = new List<DateTimeOffset>();
        for (var i = 0; i < 20_000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 40)));
            try
            {
                limits.AcquireUserRequest("wxapp1", "flooder");
                passed.Add(time.GetUtcNow());
            }
            catch (ApiException exception)
            {
                Assert.InRange(exception.RetryAfterSeconds!.Value, 1, 60);
            }
        }

        foreach (var minute in passed.GroupBy(t => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero)))
        {
            Assert.True(minute.Count() <= 120, $"{minute.Count()} passed in the minute of {minute.Key}");
        }

        Assert.True(passed.Count > 120);
    }

    [Fact]
    public void A_refused_request_waited_out_for_its_Retry_After_passes()
    {
        var time = new FakeTimeProvider(Start);
        using var limits = Create(time, users: 3);
        var random = new Random(11);
        for (var run = 0; run < 500; run++)
        {
            time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 5000)));
            try
            {
                limits.AcquireUserRequest("wxapp1", "waiter");
            }
            catch (ApiException exception)
            {
                time.Advance(TimeSpan.FromSeconds(exception.RetryAfterSeconds!.Value));
                limits.AcquireUserRequest("wxapp1", "waiter");
            }
        }
    }

    [Fact]
    public void Rejected_logins_close_an_address_for_the_rest_of_the_minute_and_only_that_address()
    {
        var time = new FakeTimeProvider(Start);
        using var limits = Create(time, logins: 3);
        var address = IPAddress.Parse("203.0.113.7");
        for (var i = 0; i < 3; i++)
        {
            limits.CheckLogin(address);
            limits.RecordRejectedLogin(address);
        }

        Assert.Equal(50, Assert.Throws<ApiException>(() => limits.CheckLogin(address)).RetryAfterSeconds);
        limits.CheckLogin(IPAddress.Parse("203.0.113.8"));
        time.Advance(TimeSpan.FromSeconds(50));
        limits.CheckLogin(address);
    }

    [Fact]
    public void Checking_an_address_costs_nothing_and_an_unknown_address_is_never_limited()
    {
        var time = new FakeTimeProvider(Start);
        using var limits = Create(time, logins: 1);
        var address = IPAddress.Parse("198.51.100.1");
        for (var i = 0; i < 1000; i++)
        {
            limits.CheckLogin(address);
            limits.CheckLogin(null);
            limits.RecordRejectedLogin(null);
        }

        limits.RecordRejectedLogin(address);
        Assert.Throws<ApiException>(() => limits.CheckLogin(address));
        limits.CheckLogin(null);
    }

    [Fact]
    public void Server_requests_are_limited_per_app_per_second()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, 250, TimeSpan.Zero));
        using var limits = Create(time, servers: 200);
        for (var i = 0; i < 200; i++)
        {
            Assert.True(limits.TryAcquireServerRequest("wxapp1", out _));
        }

        Assert.False(limits.TryAcquireServerRequest("wxapp1", out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(750), retryAfter);
        Assert.Equal(1, Assert.Throws<ApiException>(() => limits.AcquireServerRequest("wxapp1")).RetryAfterSeconds);
        Assert.True(limits.TryAcquireServerRequest("wxapp2", out _));
        time.Advance(TimeSpan.FromMilliseconds(750));
        Assert.True(limits.TryAcquireServerRequest("wxapp1", out _));
    }

    [Fact]
    public void Zero_turns_each_limit_off()
    {
        var time = new FakeTimeProvider(Start);
        using var limits = Create(time, users: 0, logins: 0, servers: 0);
        var address = IPAddress.Parse("203.0.113.9");
        for (var i = 0; i < 10_000; i++)
        {
            limits.AcquireUserRequest("wxapp1", "alice");
            limits.RecordRejectedLogin(address);
            limits.CheckLogin(address);
            Assert.True(limits.TryAcquireServerRequest("wxapp1", out _));
        }

        Assert.Equal(0, limits.ActivePartitions);
    }

    [Fact]
    public async Task Limiters_of_idle_keys_are_reclaimed_so_memory_stays_bounded_under_many_keys()
    {
        var time = new FakeTimeProvider(Start);
        using var limits = Create(time);
        for (var i = 0; i < 20_000; i++)
        {
            limits.AcquireUserRequest("wxapp1", "user-" + i);
        }

        Assert.Equal(20_000, limits.ActivePartitions);

        // Past the window and the partitioned limiter's idle time: its heartbeat (every 100 ms) reclaims them.
        time.Advance(TimeSpan.FromMinutes(2));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (limits.ActivePartitions > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, limits.ActivePartitions);
        limits.AcquireUserRequest("wxapp1", "user-1");
        Assert.Equal(1, limits.ActivePartitions);
    }

    [Fact]
    public void Retry_After_is_whole_seconds_rounded_up_and_at_least_one()
    {
        Assert.Equal(1, AbuseLimits.RateLimited(TimeSpan.FromMilliseconds(1), "x").RetryAfterSeconds);
        Assert.Equal(1, AbuseLimits.RateLimited(TimeSpan.Zero, "x").RetryAfterSeconds);
        Assert.Equal(2, AbuseLimits.RateLimited(TimeSpan.FromMilliseconds(1001), "x").RetryAfterSeconds);
        Assert.Equal(60, AbuseLimits.RateLimited(TimeSpan.FromSeconds(60), "x").RetryAfterSeconds);
    }
}
