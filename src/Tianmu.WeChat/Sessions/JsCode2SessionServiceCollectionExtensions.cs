using Microsoft.Extensions.DependencyInjection;

namespace Tianmu.WeChat.Sessions;

public static class JsCode2SessionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="JsCode2SessionClient"/> as the typed <see cref="HttpClient"/> behind
    /// <see cref="IJsCode2SessionClient"/>. It reads <c>IOptions&lt;WeChatApiOptions&gt;</c>, which the app binds.
    /// </summary>
    /// <remarks>
    /// The client's own per-call timeout applies (<see cref="WeChatApiOptions.Timeout"/>), so
    /// <see cref="HttpClient.Timeout"/> is infinite. The factory's default request logging is removed because it
    /// writes the request URL, whose query carries the app secret and the user's code. Redirects are not followed (WeChat
    /// does not redirect; following one would send the code again, elsewhere) and cookies are not kept. Add no retrying
    /// handler to the returned builder: a code is single-use.
    /// </remarks>
    public static IHttpClientBuilder AddJsCode2SessionClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        return services
            .AddHttpClient<IJsCode2SessionClient, JsCode2SessionClient>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
            })
            .RemoveAllLoggers();
    }
}
