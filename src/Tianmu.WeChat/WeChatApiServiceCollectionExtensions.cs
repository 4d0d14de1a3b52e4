using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tianmu.WeChat.AccessTokens;
using Tianmu.WeChat.ContentSecurity;

namespace Tianmu.WeChat;

public static class WeChatApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the access-token cache (<see cref="IWeChatAccessTokenProvider"/>, a singleton) and the content-security
    /// clients (<see cref="IWeChatTextCheckClient"/>, <see cref="IWeChatMediaCheckClient"/>, typed
    /// <see cref="HttpClient"/>s). They read <c>IOptions&lt;WeChatApiOptions&gt;</c>, which the app binds, and
    /// <see cref="TimeProvider"/> (<see cref="TimeProvider.System"/> unless one is registered first).
    /// </summary>
    /// <remarks>
    /// Each client applies its own per-call timeout (<see cref="Sessions.WeChatApiOptions.Timeout"/>), so
    /// <see cref="HttpClient.Timeout"/> is infinite. The factory's request logging is removed: the check URLs carry the
    /// access token in their query (and <c>stable_token</c>'s body the secret). Redirects are not followed and cookies are
    /// not kept. Add no retrying handler: the token cache retries a rejected token once itself, and every other failure is
    /// the app's to answer 503 or 502.
    /// </remarks>
    public static IServiceCollection AddWeChatServerApiClients(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WeChatAccessTokenCache>();
        services.TryAddSingleton<IWeChatAccessTokenProvider>(static provider => provider.GetRequiredService<WeChatAccessTokenCache>());

        Configure(services.AddHttpClient(StableTokenClient.HttpClientName));
        Configure(services.AddHttpClient<IWeChatTextCheckClient, WeChatTextCheckClient>());
        Configure(services.AddHttpClient<IWeChatMediaCheckClient, WeChatMediaCheckClient>());
        return services;
    }

    private static void Configure(IHttpClientBuilder builder) => builder
        .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan)
        .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
        })
        .RemoveAllLoggers();
}
