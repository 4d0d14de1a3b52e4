using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Http;

/// <summary>Item 5, below JSON: bodies whose HTTP framing lies (Content-Length, chunks), sent on raw connections.</summary>
public sealed class BodyFramingTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task A_Content_Length_shorter_than_the_body_is_read_as_declared_and_refused()
    {
        await using var app = await StartAppAsync();
        var body = $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{app.WeChat.NewCode("lying-short")}\"}}";

        var answer = await app.SendRawAsync(Raw("POST", "/api/login", body, contentLength: 20), TimeSpan.FromSeconds(5));

        AssertProblem(answer, 400, "invalid_request");
        Assert.Equal(string.Empty, await app.DumpAsync());
    }

    [Fact]
    public async Task A_Content_Length_longer_than_the_body_is_refused_once_the_body_stalls()
    {
        await using var app = await StartAppAsync(configureServices: QuickBodyTimeout);
        var body = $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{app.WeChat.NewCode("lying-long")}\"}}";

        var answer = await app.SendRawAsync(Raw("POST", "/api/login", body, contentLength: body.Length + 100), TimeSpan.FromSeconds(8));

        AssertProblem(answer, 400, "invalid_request");
        Assert.Equal(string.Empty, await app.DumpAsync());
    }

    [Fact]
    public async Task A_broken_chunked_body_is_refused_as_a_problem()
    {
        await using var app = await StartAppAsync();
        var request = "POST /api/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"app\r\nzz\r\n";

        var answer = await app.SendRawAsync(Encoding.ASCII.GetBytes(request), TimeSpan.FromSeconds(5));

        AssertProblem(answer, 400, "invalid_request");
    }

    [Fact]
    public async Task A_client_that_vanishes_mid_body_changes_nothing_and_logs_no_unhandled_error()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("vanishing-bystander");
        var before = await app.DumpAsync();
        var body = $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{app.WeChat.NewCode("vanishing")}\"}}";

        await app.SendRawAsync(Raw("POST", "/api/login", body, contentLength: body.Length + 100), TimeSpan.Zero, closeAfterSending: true);
        await Task.Delay(300);

        Assert.Equal(before, await app.DumpAsync());
        Assert.DoesNotContain(app.Host.Logs.Lines(), line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
    }

    internal static void QuickBodyTimeout(IServiceCollection services) =>
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(1.5)));

    private static byte[] Raw(string method, string path, string body, int contentLength) =>
        Encoding.UTF8.GetBytes($"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n\r\n{body}");

    private static void AssertProblem(string? answer, int status, string code)
    {
        Assert.NotNull(answer);
        Assert.StartsWith($"HTTP/1.1 {status} ", answer, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"\"code\":\"{code}\"", answer, StringComparison.Ordinal);
    }
}
