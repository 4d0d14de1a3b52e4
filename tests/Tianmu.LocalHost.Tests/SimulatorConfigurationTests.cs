using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tianmu.Functions;
using Tianmu.LocalHost.Simulator;
using Tianmu.Testing;

namespace Tianmu.LocalHost.Tests;

public sealed class SimulatorConfigurationTests
{
    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Tianmu.Tests";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, string environment)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new Environment(environment));
        services.AddTianmu(configuration, new Environment(environment));
        services.AddWeChatSimulator(configuration);
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["Tianmu:Jwt:PrivateKey"] = TestKeys.CurrentPrivateKeyPem,
        ["Tianmu:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["Tianmu:Apps:wxapp1:Secret"] = "s1",
    };

    private static string FailureOf(Dictionary<string, string?> settings, string environment)
    {
        using var provider = Build(settings, environment);
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SimulatorOptions>>().Value).Message;
    }

    [Fact]
    public void The_simulator_is_off_by_default_and_then_not_registered()
    {
        using var provider = Build(Valid(), "Development");

        Assert.False(provider.GetRequiredService<IOptions<SimulatorOptions>>().Value.Enabled);
        Assert.Null(provider.GetService<WeChatSimulator>());
    }

    [Fact]
    public void The_simulator_is_refused_in_Production()
    {
        var settings = Valid();
        settings["Tianmu:Simulator:Enabled"] = "true";
        settings["Tianmu:Apps:wxapp1:Secret"] = "simulated-x";

        Assert.Contains("Production", FailureOf(settings, "Production"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_simulator_refuses_to_start_beside_a_real_app_secret()
    {
        var settings = Valid();
        settings["Tianmu:Simulator:Enabled"] = "true";

        Assert.Contains("wxapp1", FailureOf(settings, "Development"), StringComparison.Ordinal);
    }
}
