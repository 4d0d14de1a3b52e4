using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Accounts;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Configuration;
using Tianmu.Functions.Diagnostics;
using Tianmu.Functions.Http;
using Tianmu.Functions.Limits;
using Tianmu.Functions.Location;
using Tianmu.Functions.Login;
using Tianmu.Functions.MiniProgramProfile;
using Tianmu.Functions.Play;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Push;
using Tianmu.Functions.Servers;
using Tianmu.Functions.Tokens;
using Tianmu.Functions.UserInfo;
using Tianmu.Functions.Wallet;
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
        services.AddOptions<HttpOptions>().Bind(section.GetSection("Http")).ValidateOnStart();
        services.AddOptions<LimitsOptions>().Bind(section.GetSection("Limits")).ValidateOnStart();
        services.AddOptions<WeChatApiOptions>().Bind(section.GetSection("WeChat")).ValidateOnStart();
        services.AddOptions<StorageOptions>()
            .Bind(section.GetSection("Storage"))
            .PostConfigure(storage =>
            {
                if (environment.IsDevelopment() && storage.TableServiceUri is null && string.IsNullOrWhiteSpace(storage.ConnectionString))
                {
                    storage.ConnectionString = StorageOptions.DevelopmentConnectionString;
                }

                storage.CreateTableIfMissing = environment.IsDevelopment();
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JwtOptions>>(new JwtOptionsValidator(environment)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        var loginValidator = new LoginOptionsValidator(environment.IsDevelopment());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LoginOptions>>(loginValidator));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WeChatApiOptions>>(loginValidator));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpOptions>, HttpOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>());
        services.AddOptions<AccountOptions>().Bind(section.GetSection(AccountOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccountOptions>, AccountOptionsValidator>());
        services.AddOptions<AppRegistryStartupCheck>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AppRegistryStartupCheck>, AppRegistryStartupValidator>());

        // A WeChat push's query string (signatures, nonces) never reaches a log, under any host.
        services.AddRequestUrlLogRedaction();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => AppRegistry.Load(section.GetSection("Apps"), sp.GetRequiredService<ILogger<AppRegistry>>()));
        services.AddSingleton(sp => new RequestBudgets(sp.GetRequiredService<IOptions<LoginOptions>>().Value.Budget));

        services.AddSingleton(sp => ProfileStore.CreateTableClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddSingleton<ProfileStore>();
        services.AddSingleton<ProfileKeys>();
        services.AddSingleton<OptimisticConcurrency>();
        services.AddSingleton<InviterCredit>();
        services.AddSingleton<UserRows>();
        services.AddSingleton<AccountTombstones>();
        services.AddSingleton<ProfileRepository>();

        services.AddSingleton<AbuseLimits>();

        services.AddSingleton(sp => new SigningKeys(
            sp.GetRequiredService<IOptions<JwtOptions>>(), environment, sp.GetRequiredService<ILogger<SigningKeys>>()));
        services.AddSingleton<VerifiedTokenCache>();
        services.AddSingleton(sp => new TokenService(
            sp.GetRequiredService<IOptions<JwtOptions>>(),
            sp.GetRequiredService<SigningKeys>(),
            sp.GetRequiredService<AppRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<VerifiedTokenCache>()));
        services.AddSingleton<TokenRefreshService>();
        services.AddHostedService(sp => new SigningKeysStartup(
            sp.GetRequiredService<SigningKeys>(),
            legacySigningKeySet: !string.IsNullOrEmpty(section.GetSection("Jwt")["SigningKey"]),
            sp.GetRequiredService<ILogger<SigningKeysStartup>>()));
        services.AddSingleton<BearerAuthenticator>();

        // Loaded at registration: a missing or corrupt database stops the app at start-up, not at the first login.
        services.TryAddSingleton<IIpLocator>(new Ip2RegionLocator());
        services.AddJsCode2SessionClient();

        services.AddSingleton<LoginService>();
        services.AddSingleton<UserInfoService>();

        // Server routes and the wallet (docs/API.md, "Server routes", "Wallet").
        services.AddOptions<ServerKeyOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServerKeyOptions>, ServerKeyOptionsValidator>());
        services.AddSingleton<ServerKeyAuthenticator>();
        services.AddSingleton<ServerUsers>();
        services.AddSingleton<WalletLedger>();
        services.AddSingleton<WalletService>();
        services.AddOptions<PlayOptions>().Bind(section.GetSection("Play")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PlayOptions>, PlayOptionsValidator>());
        services.AddSingleton<PlayService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<PushSignatureVerifier>();
        services.AddSingleton<PushService>();
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
