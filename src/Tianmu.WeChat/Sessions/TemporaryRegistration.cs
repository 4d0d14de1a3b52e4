using Microsoft.Extensions.DependencyInjection;

namespace Tianmu.WeChat.Sessions;

// TEMPORARY until the client lands.
public static class TemporaryRegistration
{
    public static IHttpClientBuilder AddJsCode2SessionClient(this IServiceCollection services) =>
        services.AddHttpClient<IJsCode2SessionClient, TemporaryClient>();

    private sealed class TemporaryClient : IJsCode2SessionClient
    {
        public Task<JsCode2SessionResult> ExchangeAsync(string appId, string secret, string code, CancellationToken cancellationToken) => throw new NotImplementedException();
    }
}
