using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Location;
using Tianmu.Functions.Login;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.Functions.UserInfo;
using Tianmu.WeChat.Sessions;

namespace Tianmu.Functions;

/// <summary>The one composition root, called by the Functions host and the local host alike.</summary>
public static class TianmuServiceCollectionExtensions
{
    public static IServiceCollection AddTianmu(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var section = configuration.GetSection(TianmuConfiguration.Section);

        services.AddOptions<JwtOptions>().Bind(section.GetSection("Jwt")).ValidateOnStart();
        services.AddOptions<LoginOptions>().Bind(section.GetSection("Login")).ValidateOnStart();
        services.AddOptions<HttpOptions>().Bind(section.GetSection("Http"));
        services.AddOptions<WeChatApiOptions>().Bind(section.GetSection("WeChat")).ValidateOnStart();
        services.AddOptions<SimulatorOptions>().Bind(section.GetSection("Simulator")).ValidateOnStart();
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
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LoginOptions>, TimingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WeChatApiOptions>, TimingOptionsValidator>());
        services.AddSingleton<IValidateOptions<SimulatorOptions>>(sp => new SimulatorOptionsValidator(environment, sp.GetRequiredService<AppRegistry>()));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => CreateAppRegistry(section.GetSection("Apps"), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => CreateTableClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddSingleton<ProfileStore>();
        services.AddSingleton<ProfileKeys>();
        services.AddSingleton<TokenService>();
        // Loaded at registration: a missing or corrupt database stops the app at start-up, not at the first login.
        services.TryAddSingleton<IIpLocator>(new Ip2RegionLocator());
        services.AddJsCode2SessionClient();
        services.AddSingleton<LoginService>();
        services.AddSingleton<UserInfoService>();

        // Function classes are not registered: each host activates them from these services.
        return services;
    }

    private static AppRegistry CreateAppRegistry(IConfigurationSection apps, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger<AppRegistry>();
        var secrets = new List<KeyValuePair<string, string>>();
        foreach (var app in apps.GetChildren())
        {
            var secret = app["Secret"];
            if (!TianmuConfiguration.IdPattern().IsMatch(app.Key))
            {
                AppRegistryLog.IllegalAppId(logger);
            }
            else if (string.IsNullOrEmpty(secret) || TianmuConfiguration.IsUnresolvedKeyVaultReference(secret))
            {
                // One broken app must not take the others down: it is left out, and logins to it answer unknown_app.
                AppRegistryLog.MissingSecret(logger, app.Key);
            }
            else
            {
                secrets.Add(new(app.Key, secret));
            }
        }

        return new AppRegistry(secrets);
    }

    private static TableClient CreateTableClient(StorageOptions storage)
    {
        var options = ProfileStore.CreateClientOptions();
        var service = storage.TableServiceUri is { } uri
            ? new TableServiceClient(uri, new DefaultAzureCredential(), options)
            : new TableServiceClient(storage.ConnectionString, options);
        return service.GetTableClient(storage.TableName);
    }
}

internal static partial class AppRegistryLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "An app id under Tianmu:Apps is not 1-64 letters, digits, _ or - and is ignored")]
    public static partial void IllegalAppId(ILogger logger);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "App {AppId} has no usable secret (missing or an unresolved Key Vault reference) and is not served")]
    public static partial void MissingSecret(ILogger logger, string appId);
}
