using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Configuration;
using Tianmu.Functions.Http;
using Tianmu.Functions.Location;
using Tianmu.Functions.Login;
using Tianmu.Functions.MiniProgramProfile;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.Functions.UserInfo;
using Tianmu.WeChat;
using Tianmu.WeChat.Sessions;

namespace Tianmu.Functions;

/// <summary>The one composition root, called by the Functions host and the local host alike.</summary>
public static class TianmuServiceCollectionExtensions
{
    /// <summary>
    /// Registers the app: options bound from the <c>Tianmu</c> section and validated at start-up, storage, tokens,
    /// WeChat clients and the services of every route. Function classes are not registered: each host activates them.
    /// </summary>
    public static IServiceCollection AddTianmu(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var section = configuration.GetSection(TianmuConfiguration.Section);

        services.AddOptions<JwtOptions>().Bind(section.GetSection("Jwt")).ValidateOnStart();
        services.AddOptions<LoginOptions>().Bind(section.GetSection("Login")).ValidateOnStart();
        services.AddOptions<HttpOptions>().Bind(section.GetSection("Http"));
        services.AddOptions<WeChatApiOptions>().Bind(section.GetSection("WeChat")).ValidateOnStart();
        services.AddOptions<StorageOptions>()
            .Bind(section.GetSection("Storage"))
            .PostConfigure(storage =>
            {
                if (environment.IsDevelopment() && storage.TableServiceUri is null && string.IsNullOrWhiteSpace(storage.ConnectionString))
                {
                    storage.ConnectionString = StorageOptions.DevelopmentConnectionString;
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LoginOptions>, LoginOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WeChatApiOptions>, LoginOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => AppRegistry.Load(section.GetSection("Apps"), sp.GetRequiredService<ILogger<AppRegistry>>()));
        services.AddSingleton(sp => new RequestBudgets(sp.GetRequiredService<IOptions<LoginOptions>>().Value.Budget));

        services.AddSingleton(sp => ProfileStore.CreateTableClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddSingleton<ProfileStore>();
        services.AddSingleton<ProfileKeys>();
        services.AddSingleton<OptimisticConcurrency>();
        services.AddSingleton<InviterCredit>();
        services.AddSingleton<ProfileRepository>();

        services.AddSingleton<TokenService>();
        services.AddSingleton<BearerAuthenticator>();

        // Loaded at registration: a missing or corrupt database stops the app at start-up, not at the first login.
        services.TryAddSingleton<IIpLocator>(new Ip2RegionLocator());
        services.AddJsCode2SessionClient();

        services.AddSingleton<LoginService>();
        services.AddSingleton<UserInfoService>();

        // Profile for mini-programs: WeChat's access tokens and content checks, the avatars container.
        services.AddWeChatServerApiClients();
        services.AddOptions<AvatarOptions>().Bind(section.GetSection("Avatars")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AvatarOptions>, AvatarOptionsValidator>());
        services.AddSingleton(sp => AvatarBlobStore.CreateContainerClient(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<IOptions<AvatarOptions>>().Value));
        services.AddSingleton(sp => new AvatarBlobStore(
            sp.GetRequiredService<Azure.Storage.Blobs.BlobContainerClient>(),
            sp.GetRequiredService<IOptions<AvatarOptions>>().Value,
            createContainer: environment.IsDevelopment(),
            sp.GetRequiredService<ILogger<AvatarBlobStore>>()));
        services.AddSingleton<MiniProgramProfileService>();
        services.AddSingleton<AvatarService>();
        services.AddSingleton<MediaCheckPushHandler>();
        return services;
    }
}
