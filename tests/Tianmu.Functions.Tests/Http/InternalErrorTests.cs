using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Tests.Http;

/// <summary>docs/API.md, "Conventions": a defect is logged at Error with its exception and answered 500 internal_error.</summary>
public sealed class InternalErrorTests
{
    public static TheoryData<string> Defects() => ["invalid operation", "argument", "key not found", "format", "aggregate"];

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task Any_unexpected_exception_is_500_internal_error_logged_at_Error_and_its_detail_says_nothing_of_the_cause(string kind)
    {
        var (context, logs) = Context();
        const string Cause = "session_key=abc123 in table profiles";
        Exception defect = kind switch
        {
            "invalid operation" => new InvalidOperationException(Cause),
            "argument" => new ArgumentException(Cause),
            "key not found" => new KeyNotFoundException(Cause),
            "format" => new FormatException(Cause),
            _ => new AggregateException(Cause, new IOException(Cause)),
        };

        var result = await ApiEndpoint.RunAsync(context.Request, () => throw defect);
        await result.ExecuteAsync(context);

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
        var body = Body(context);
        Assert.DoesNotContain(Cause, body, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("internal_error", problem.GetProperty("code").GetString());
        Assert.Equal(ApiEndpoint.InternalErrorDetail, problem.GetProperty("detail").GetString());
        var record = Assert.Single(logs.GetSnapshot(), r => r.Level == LogLevel.Error);
        Assert.Same(defect, record.Exception);
    }

    [Fact]
    public async Task An_ApiException_is_answered_as_itself_and_logs_nothing_at_Error()
    {
        var (context, logs) = Context();

        var result = await ApiEndpoint.RunAsync(context.Request, () => throw new ApiException(ApiErrorCode.DecryptFailed, "no"));
        await result.ExecuteAsync(context);

        Assert.Equal(422, context.Response.StatusCode);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_rate_limit_answer_carries_its_own_Retry_After_not_the_table_s()
    {
        var (context, _) = Context();

        var result = await ApiEndpoint.RunAsync(context.Request, () => throw new ApiException(ApiErrorCode.RateLimited, "slow down") { RetryAfterSeconds = 17 });
        await result.ExecuteAsync(context);

        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("17", context.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task WeChat_s_own_rate_limit_keeps_the_table_s_Retry_After_of_60()
    {
        var (context, _) = Context();

        var result = await ApiEndpoint.RunAsync(context.Request, () => throw new ApiException(ApiErrorCode.RateLimited, "WeChat"));
        await result.ExecuteAsync(context);

        Assert.Equal("60", context.Response.Headers.RetryAfter.ToString());
    }

    private static (DefaultHttpContext Context, FakeLogCollector Logs) Context()
    {
        var services = new ServiceCollection().AddLogging(logging => logging.AddFakeLogging()).BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Path = "/api/test";
        context.Response.Body = new MemoryStream();
        return (context, services.GetRequiredService<FakeLogCollector>());
    }

    private static string Body(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }
}
