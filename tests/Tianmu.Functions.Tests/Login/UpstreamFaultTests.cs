using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Login;

/// <summary>
/// Item 3, beyond the error mapping LoginTests covers: every way jscode2session can fail, for a user who already
/// has a profile, answers the right status and Retry-After quickly, sends the code once and changes nothing,
/// including when WeChat's success arrives after the timeout.
/// </summary>
public sealed class UpstreamFaultTests(AppFixture fixture) : AppTest(fixture)
{
    private const string User = "upstream-victim";
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(400);

    [Fact]
    public async Task Every_upstream_fault_answers_its_status_quickly_sends_the_code_once_and_changes_nothing()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:WeChat:Timeout"] = "00:00:00.400" });
        await app.LoginOkAsync(User);
        var openId = WeChatStandIn.OpenIdOf(User);
        var lateKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        SecretsWitness.NoteSecret(lateKey);
        var success = $"{{\"session_key\":\"{lateKey}\",\"openid\":\"{openId}\"}}";
        var before = await app.DumpAsync();
        var slowAnswers = new List<Task>();

        (string Name, Func<HttpContext, Task> Script, int Status, string Code, string? RetryAfter)[] faults =
        [
            ("errcode -1 (busy)", Write(200, "{\"errcode\":-1,\"errmsg\":\"system error\"}"), 503, "upstream_unavailable", "1"),
            ("errcode 45011 (rate limit)", Write(200, "{\"errcode\":45011,\"errmsg\":\"freq limit\"}"), 429, "rate_limited", "60"),
            ("errcode 40226 (blocked)", Write(200, "{\"errcode\":40226,\"errmsg\":\"risky\"}"), 403, "login_blocked", null),
            ("errcode as a string", Write(200, "{\"errcode\":\"-1\"}"), 502, "upstream_error", null),
            ("HTTP 500 with a success body", Write(500, success), 503, "upstream_unavailable", "1"),
            ("HTTP 502 HTML page", Write(502, "<html><body>Bad Gateway</body></html>", "text/html"), 503, "upstream_unavailable", "1"),
            ("HTTP 503 empty", Write(503, string.Empty), 503, "upstream_unavailable", "1"),
            ("HTTP 404", Write(404, "not found"), 502, "upstream_error", null),
            ("HTTP 302 to elsewhere (not followed)", context =>
            {
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = "http://127.0.0.1:1/steal";
                return Task.CompletedTask;
            }, 502, "upstream_error", null),
            ("garbage", Write(200, "\u0000\u0001garbage\u00ff"), 502, "upstream_error", null),
            ("empty 200", Write(200, string.Empty), 502, "upstream_error", null),
            ("truncated JSON", Write(200, success[..^5]), 502, "upstream_error", null),
            ("JSON array", Write(200, "[" + success + "]"), 502, "upstream_error", null),
            ("session_key missing", Write(200, $"{{\"openid\":\"{openId}\"}}"), 502, "upstream_error", null),
            ("openid empty", Write(200, $"{{\"session_key\":\"{lateKey}\",\"openid\":\"\"}}"), 502, "upstream_error", null),
            ("20 KB answer", Write(200, success[..^1] + ",\"pad\":\"" + new string('x', 20_000) + "\"}"), 502, "upstream_error", null),
            ("success after the timeout", async context =>
            {
                var late = Task.Delay(Timeout * 3);
                lock (slowAnswers)
                {
                    slowAnswers.Add(late);
                }

                await late;
                await context.Response.WriteAsync(success);
            }, 503, "upstream_unavailable", "1"),
            ("success trickled past the timeout", async context =>
            {
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync(success[..10]);
                await context.Response.Body.FlushAsync();
                await Task.Delay(Timeout * 3);
                await context.Response.WriteAsync(success[10..]);
            }, 503, "upstream_unavailable", "1"),
            ("connection closed", context =>
            {
                context.Abort();
                return Task.CompletedTask;
            }, 503, "upstream_unavailable", "1"),
            ("connection closed mid-answer", async context =>
            {
                context.Response.ContentLength = success.Length;
                await context.Response.WriteAsync(success[..10]);
                await context.Response.Body.FlushAsync();
                context.Abort();
            }, 503, "upstream_unavailable", "1"),
        ];

        var slowest = TimeSpan.Zero;
        foreach (var (name, script, status, code, retryAfter) in faults)
        {
            var loginCode = "fault-" + Guid.NewGuid().ToString("N");
            app.WeChat.Script(loginCode, script);
            var clock = Stopwatch.StartNew();

            var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{loginCode}\"}}");

            var elapsed = clock.Elapsed;
            slowest = elapsed > slowest ? elapsed : slowest;
            Assert.True(status == (int)response.StatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await ProblemAssert.IsProblemAsync(response, status, code);
            Assert.True(retryAfter == response.Headers.RetryAfter?.ToString(), $"{name}: Retry-After {response.Headers.RetryAfter}");
            Assert.True(app.WeChat.RequestsFor(loginCode) == 1, $"{name}: the code was sent {app.WeChat.RequestsFor(loginCode)} times");
            Assert.True(elapsed < Timeout + TimeSpan.FromSeconds(1.5), $"{name}: answered after {elapsed.TotalMilliseconds:F0} ms");
            Assert.True(before == await app.DumpAsync(), $"{name}: the store changed");
        }

        // The late answers have now arrived at a client that gave up: still nothing changed.
        await Task.WhenAll(slowAnswers);
        await Task.Delay(100);
        Assert.Equal(before, await app.DumpAsync());
        Assert.NotEqual(lateKey, (await app.RowAsync(User))!.SessionKey);
        Figures.Record("upstream", "faults tried", faults.Length);
        Figures.Record("upstream", "slowest fault answer ms (WeChat timeout 400 ms)", slowest.TotalMilliseconds);
    }

    [Fact]
    public async Task The_login_budget_bounds_a_slow_WeChat_even_when_its_own_timeout_is_longer()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?>
        {
            ["Tianmu:WeChat:Timeout"] = "00:00:20",
            ["Tianmu:Login:Budget"] = "00:00:00.600",
        });
        await app.LoginOkAsync(User);
        var before = await app.DumpAsync();
        var loginCode = "budget-" + Guid.NewGuid().ToString("N");
        app.WeChat.Hang(loginCode);
        var clock = Stopwatch.StartNew();

        var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{loginCode}\"}}");

        var elapsed = clock.Elapsed;
        await ProblemAssert.IsProblemAsync(response, 503, "upstream_unavailable");
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromMilliseconds(600 + 1000));
        Assert.Equal(1, app.WeChat.RequestsFor(loginCode));
        Assert.Equal(before, await app.DumpAsync());
        Figures.Record("upstream", "login answer with a hanging WeChat, budget 600 ms, ms", elapsed.TotalMilliseconds);
    }

    private static Func<HttpContext, Task> Write(int status, string body, string contentType = "text/plain") => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    };
}
