using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Http;
using Tianmu.Functions.Limits;
using Tianmu.Functions.Profiles;
using Tianmu.WeChat.Sessions;

namespace Tianmu.Functions.Tests.Configuration;

/// <summary>The configuration keys of issue 13 (docs/API.md, "Operator configuration").</summary>
public sealed class HardeningConfigurationTests
{
    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Tianmu.Tests";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static ServiceProvider Build(Dictionary<string, string?> extra, string environment = "Production")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tianmu:Jwt:SigningKey"] = "a-signing-key-of-at-least-32-bytes-000",
            ["Tianmu:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Tianmu:Apps:wxapp1:Secret"] = "s1",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTianmu(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), new Environment(environment));
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Limits_and_forwarded_hops_default_to_the_contract()
    {
        using var provider = Build([]);

        var limits = provider.GetRequiredService<IOptions<LimitsOptions>>().Value;
        Assert.Equal(120, limits.UserRequestsPerMinute);
        Assert.Equal(30, limits.RejectedLoginsPerIpPerMinute);
        Assert.Equal(200, limits.ServerRequestsPerSecond);
        Assert.Equal(1, provider.GetRequiredService<IOptions<HttpOptions>>().Value.ForwardedHops);
    }

    [Theory]
    [InlineData("Tianmu:Limits:UserRequestsPerMinute", "-1", "Tianmu__Limits__UserRequestsPerMinute")]
    [InlineData("Tianmu:Limits:RejectedLoginsPerIpPerMinute", "-5", "Tianmu__Limits__RejectedLoginsPerIpPerMinute")]
    [InlineData("Tianmu:Limits:ServerRequestsPerSecond", "2000000", "Tianmu__Limits__ServerRequestsPerSecond")]
    public void A_limit_out_of_range_stops_the_app_naming_its_variable(string key, string value, string variable)
    {
        using var provider = Build(new() { [key] = value });

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LimitsOptions>>().Value);
        Assert.Contains(variable, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("11")]
    public void Forwarded_hops_out_of_range_stop_the_app_naming_the_variable(string hops)
    {
        using var provider = Build(new() { ["Tianmu:Http:ForwardedHops"] = hops });

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HttpOptions>>().Value);
        Assert.Contains("Tianmu__Http__ForwardedHops", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://api.weixin.qq.com", "Production", false)]
    [InlineData("http://wechat-proxy.internal:8080", "Staging", false)]
    [InlineData("https://api.weixin.qq.com", "Production", true)]
    [InlineData("http://api.weixin.qq.com", "Development", true)]
    [InlineData("http://127.0.0.1:5000", "Production", true)]
    public void The_WeChat_base_url_must_be_https_outside_Development(string url, string environment, bool valid)
    {
        using var provider = Build(new() { ["Tianmu:WeChat:ApiBaseUrl"] = url }, environment);

        if (valid)
        {
            Assert.Equal(new Uri(url), provider.GetRequiredService<IOptions<WeChatApiOptions>>().Value.ApiBaseUrl);
        }
        else
        {
            var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<WeChatApiOptions>>().Value);
            Assert.Contains("Tianmu__WeChat__ApiBaseUrl must be https", failure.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    [InlineData("Staging", false)]
    public void The_table_is_created_when_missing_only_in_Development_whatever_the_configuration_says(string environment, bool creates)
    {
        using var provider = Build(new() { ["Tianmu:Storage:CreateTableIfMissing"] = "true" }, environment);

        Assert.Equal(creates, provider.GetRequiredService<IOptions<StorageOptions>>().Value.CreateTableIfMissing);
    }
}
