using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Tianmu.WeChat.AccessTokens;
using Tianmu.WeChat.ContentSecurity;
using Tianmu.WeChat.Sessions;
using Tianmu.WeChat.Tests.Sessions;

namespace Tianmu.WeChat.Tests.ServerApi;

/// <summary>The services as the app registers them, against one scope of the fake WeChat API.</summary>
public sealed class ServerApiServices : IDisposable
{
    private readonly ServiceProvider _provider;

    public ServerApiServices(Uri baseUrl, TimeSpan? timeout = null, FakeTimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.AddCollector(Logs));
        services.Configure<WeChatApiOptions>(options =>
        {
            options.ApiBaseUrl = baseUrl;
            options.Timeout = timeout ?? TimeSpan.FromSeconds(5);
        });
        if (time is not null)
        {
            services.AddSingleton<TimeProvider>(time);
        }

        services.AddWeChatServerApiClients();
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeLogCollector Logs { get; } = new();

    public IWeChatAccessTokenProvider Tokens => _provider.GetRequiredService<IWeChatAccessTokenProvider>();

    public IWeChatTextCheckClient TextCheck => _provider.GetRequiredService<IWeChatTextCheckClient>();

    public IWeChatMediaCheckClient MediaCheck => _provider.GetRequiredService<IWeChatMediaCheckClient>();

    public void Dispose() => _provider.Dispose();
}
