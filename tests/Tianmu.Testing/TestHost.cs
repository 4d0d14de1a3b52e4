using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Tianmu.Functions;
using Tianmu.Functions.Login;
using Tianmu.LocalHost.Hosting;

namespace Tianmu.Testing;

/// <summary>
/// The app served over real HTTP on 127.0.0.1 (Kestrel, the local host's routing), configured by the
/// contract's keys: Azurite for storage, a <see cref="WeChatStandIn"/> for WeChat, and captured logs.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string AppId = "wxtest0000000001";
    public const string AppSecret = "app-secret-7d1f0c9e5b2a";
    public const string OtherAppId = "wxtest0000000002";
    public const string OtherAppSecret = "app-secret-other-44aa91";
    public const string ServerKey = "test-server-key-of-app-1-0123456789abcdef";
    public const string OtherServerKey = "test-server-key-of-app-2-fedcba9876543210";

    private readonly WebApplication _app;

    private TestHost(WebApplication app, FakeLogCollector logs)
    {
        _app = app;
        Logs = logs;
        Client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()) };
    }

    public HttpClient Client { get; }

    /// <summary>Every log record the app wrote (read it as text with <see cref="LogLines"/>).</summary>
    public FakeLogCollector Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Every setting of the contract a test may want, keyed as in docs/API.md (with <c>:</c>).</summary>
    public static Dictionary<string, string?> Settings(string storageConnectionString, Uri weChatBaseUrl, string tableName) => new()
    {
        [$"Tianmu:Apps:{AppId}:Secret"] = AppSecret,
        [$"Tianmu:Apps:{OtherAppId}:Secret"] = OtherAppSecret,
        [$"Tianmu:Apps:{AppId}:ServerKey"] = ServerKey,
        [$"Tianmu:Apps:{OtherAppId}:ServerKey"] = OtherServerKey,
        ["Tianmu:Jwt:PrivateKey"] = TestKeys.CurrentPrivateKeyPem,
        ["Tianmu:WeChat:ApiBaseUrl"] = weChatBaseUrl.ToString(),
        ["Tianmu:WeChat:Timeout"] = "00:00:02",
        ["Tianmu:Storage:ConnectionString"] = storageConnectionString,
        ["Tianmu:Storage:TableName"] = tableName,
    };

    /// <summary>Starts the app in <paramref name="environmentName"/> (Production unless a test needs Development's rules).</summary>
    public static async Task<TestHost> StartAsync(IDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null, string? environmentName = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environmentName ?? Environments.Production });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFakeLogging();
        builder.Services.AddTianmu(builder.Configuration, builder.Environment);
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapFunctions(FunctionRoutes.Discover(typeof(LoginFunction).Assembly), "api");
        await app.StartAsync().ConfigureAwait(false);
        return new TestHost(app, app.Services.GetRequiredService<FakeLogCollector>());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
