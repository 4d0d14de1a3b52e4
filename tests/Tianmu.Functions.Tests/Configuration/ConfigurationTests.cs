using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Login;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.Tests.Configuration;

public sealed class ConfigurationTests
{
    private const string GoodKey = "a-signing-key-of-at-least-32-bytes-000";

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Tianmu.Tests";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, string environment = "Production")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTianmu(configuration, new Environment(environment));
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["Tianmu:Jwt:SigningKey"] = GoodKey,
        ["Tianmu:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["Tianmu:Apps:wxapp1:Secret"] = "s1",
    };

    private static string FailureOf<T>(Dictionary<string, string?> settings, string environment = "Production")
        where T : class
    {
        using var provider = Build(settings, environment);
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<T>>().Value).Message;
    }

    [Fact]
    public void Defaults_follow_the_contract()
    {
        using var provider = Build(Valid());

        var jwt = provider.GetRequiredService<IOptions<JwtOptions>>().Value;
        Assert.Equal("tianmu", jwt.Issuer);
        Assert.Equal(TimeSpan.FromHours(2), jwt.Lifetime);
        Assert.Equal(TimeSpan.FromSeconds(10), provider.GetRequiredService<IOptions<LoginOptions>>().Value.Budget);
        Assert.False(provider.GetRequiredService<IOptions<HttpOptions>>().Value.TrustForwardedFor);
        var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        Assert.Equal("profiles", storage.TableName);
        Assert.Equal(1, storage.PartitionBuckets);
        var weChat = provider.GetRequiredService<IOptions<Tianmu.WeChat.Sessions.WeChatApiOptions>>().Value;
        Assert.Equal(new Uri("https://api.weixin.qq.com"), weChat.ApiBaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(5), weChat.Timeout);
    }

    [Fact]
    public void Settings_bind_from_double_underscore_environment_names()
    {
        System.Environment.SetEnvironmentVariable("TIANMU_TEST_Tianmu__Jwt__Lifetime", "00:30:00");
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(Valid()).AddEnvironmentVariables("TIANMU_TEST_").Build();
            var services = new ServiceCollection().AddLogging();
            services.AddTianmu(configuration, new Environment("Production"));
            using var provider = services.BuildServiceProvider();

            Assert.Equal(TimeSpan.FromMinutes(30), provider.GetRequiredService<IOptions<JwtOptions>>().Value.Lifetime);
        }
        finally
        {
            System.Environment.SetEnvironmentVariable("TIANMU_TEST_Tianmu__Jwt__Lifetime", null);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("too-short-key")]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/jwt/)")]
    public void A_missing_short_or_unresolved_signing_key_stops_the_app(string? key)
    {
        var settings = Valid();
        settings["Tianmu:Jwt:SigningKey"] = key;

        Assert.Contains("Tianmu__Jwt__SigningKey", FailureOf<JwtOptions>(settings), StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_is_required_outside_Development()
    {
        var settings = Valid();
        settings.Remove("Tianmu:Storage:ConnectionString");

        Assert.Contains("Tianmu__Storage__", FailureOf<StorageOptions>(settings), StringComparison.Ordinal);
    }

    [Fact]
    public void Development_defaults_to_Azurite()
    {
        var settings = Valid();
        settings.Remove("Tianmu:Storage:ConnectionString");
        using var provider = Build(settings, "Development");

        Assert.Equal("UseDevelopmentStorage=true", provider.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString);
    }

    [Theory]
    [InlineData("Tianmu:Storage:TableName", "1bad")]
    [InlineData("Tianmu:Storage:TableName", "ab")]
    [InlineData("Tianmu:Storage:PartitionBuckets", "0")]
    [InlineData("Tianmu:Storage:PartitionBuckets", "101")]
    public void Invalid_storage_settings_stop_the_app(string key, string value)
    {
        var settings = Valid();
        settings[key] = value;

        FailureOf<StorageOptions>(settings);
    }

    [Fact]
    public void Apps_compare_ordinally_and_apps_without_a_usable_secret_are_not_served()
    {
        var settings = Valid();
        settings["Tianmu:Apps:wxbroken:Secret"] = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x/)";
        settings["Tianmu:Apps:wxempty:Secret"] = string.Empty;
        settings["Tianmu:Apps:bad#id:Secret"] = "s";
        using var provider = Build(settings);

        var apps = provider.GetRequiredService<AppRegistry>();

        Assert.Equal(["wxapp1"], apps.AppIds);
        Assert.True(apps.TryGetSecret("wxapp1", out var secret));
        Assert.Equal("s1", secret);
        Assert.False(apps.Contains("WXAPP1"));
    }
}
