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
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Configuration;

public sealed class ConfigurationTests
{

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
        ["Tianmu:Jwt:PrivateKey"] = TestKeys.CurrentPrivateKeyPem,
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

    public static TheoryData<string, string?> BadPrivateKeys()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        using var p384 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
        using var p256 = TestKeys.NewP256();
        return new()
        {
            { "absent", null },
            { "empty", string.Empty },
            { "an unresolved Key Vault reference", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/jwt/)" },
            { "the first release's HS256 secret", TestKeys.LegacySigningKey },
            { "not base64 inside the PEM", "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----" },
            { "an RSA key", rsa.ExportPkcs8PrivateKeyPem() },
            { "a P-384 key", p384.ExportPkcs8PrivateKeyPem() },
            { "a SEC1 EC PRIVATE KEY instead of PKCS#8", p256.ExportECPrivateKeyPem() },
            { "a public key", p256.ExportSubjectPublicKeyInfoPem() },
            { "two private keys", p256.ExportPkcs8PrivateKeyPem() + "\n" + p256.ExportPkcs8PrivateKeyPem() },
        };
    }

    [Theory]
    [MemberData(nameof(BadPrivateKeys))]
    public void A_missing_unparsable_or_non_P256_private_key_stops_the_app_outside_Development(string what, string? key)
    {
        var settings = Valid();
        settings["Tianmu:Jwt:PrivateKey"] = key;

        var failure = FailureOf<JwtOptions>(settings);

        Assert.True(failure.Contains("Tianmu__Jwt__PrivateKey", StringComparison.Ordinal), what);
        Assert.DoesNotContain(TestKeys.CurrentPrivateKeyPem, failure, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadPrivateKeys))]
    public void In_Development_only_a_missing_private_key_is_allowed(string what, string? key)
    {
        var settings = Valid();
        settings["Tianmu:Jwt:PrivateKey"] = key;
        var missing = string.IsNullOrEmpty(key) || key.StartsWith("@Microsoft.KeyVault(", StringComparison.Ordinal);
        using var provider = Build(settings, "Development");

        if (missing)
        {
            Assert.True(provider.GetRequiredService<SigningKeys>().GeneratedForDevelopment, what);
        }
        else
        {
            Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<JwtOptions>>().Value);
        }
    }

    [Fact]
    public void Previous_public_keys_are_read_in_order_after_the_current_key()
    {
        using var first = TestKeys.NewP256();
        using var second = TestKeys.NewP256();
        var settings = Valid();
        settings["Tianmu:Jwt:PreviousPublicKeys"] = TestKeys.PublicPem(first) + "\n" + TestKeys.PublicPem(second);
        using var provider = Build(settings);

        var keys = provider.GetRequiredService<SigningKeys>();

        Assert.Equal(
            [SigningKeys.Thumbprint(TestKeys.Current), SigningKeys.Thumbprint(first), SigningKeys.Thumbprint(second)],
            keys.All.Select(k => k.KeyId));
        Assert.False(keys.GeneratedForDevelopment);
    }

    [Fact]
    public void A_bad_previous_public_key_stops_the_app()
    {
        using var p384 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
        foreach (var bundle in new[] { "garbage", TestKeys.PublicPem(TestKeys.Current) + "\ntrailing text", p384.ExportSubjectPublicKeyInfoPem(), TestKeys.CurrentPrivateKeyPem })
        {
            var settings = Valid();
            settings["Tianmu:Jwt:PreviousPublicKeys"] = bundle;

            Assert.Contains("Tianmu__Jwt__PreviousPublicKeys", FailureOf<JwtOptions>(settings), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_maximum_session_age_defaults_to_30_days_and_must_be_positive()
    {
        using (var provider = Build(Valid()))
        {
            Assert.Equal(TimeSpan.FromDays(30), provider.GetRequiredService<IOptions<JwtOptions>>().Value.MaxSessionAge);
        }

        var settings = Valid();
        settings["Tianmu:Jwt:MaxSessionAge"] = "00:00:00";
        Assert.Contains("Tianmu__Jwt__MaxSessionAge", FailureOf<JwtOptions>(settings), StringComparison.Ordinal);
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
