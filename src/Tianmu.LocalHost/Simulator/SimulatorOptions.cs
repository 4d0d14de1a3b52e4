using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;

namespace Tianmu.LocalHost.Simulator;

/// <summary><c>Tianmu:Simulator</c> (docs/API.md, "Operator configuration"): the local host only.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Serve the WeChat simulator's routes and send every WeChat call to them.</summary>
    public bool Enabled { get; set; }

    /// <summary>Words that make the simulated <c>msg_sec_check</c> judge a text <c>risky</c>
    /// (<c>Tianmu__Simulator__RiskyWords__0</c>, …).</summary>
    public IList<string> RiskyWords { get; } = ["risky", "违规"];

    /// <summary>An image whose bytes contain this ASCII text is judged <c>risky</c> by the simulated media check.</summary>
    public string RiskyImageMarker { get; set; } = "RISKY";
}

/// <summary>The simulator never runs in Production, nor beside a real app secret.</summary>
public sealed class SimulatorOptionsValidator(IHostEnvironment environment, AppRegistry apps) : IValidateOptions<SimulatorOptions>
{
    /// <summary>Secrets of apps the simulator may serve start with this; anything else is taken for a real secret.</summary>
    public const string SimulatedSecretPrefix = "simulated";

    public ValidateOptionsResult Validate(string? name, SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (environment.IsProduction())
        {
            return ValidateOptionsResult.Fail("Tianmu__Simulator__Enabled is refused in the Production environment.");
        }

        var real = apps.AppIds.Where(id => apps.TryGetSecret(id, out var secret) && !secret.StartsWith(SimulatedSecretPrefix, StringComparison.Ordinal)).ToList();
        return real.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"The WeChat simulator refuses to start: app(s) {string.Join(", ", real)} have a real secret configured (simulated apps use a secret starting with '{SimulatedSecretPrefix}').");
    }
}

/// <summary>Registration of the simulator beside the app.</summary>
public static class SimulatorServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>Tianmu:Simulator</c> at start-up (always, so that a Production host with it switched on
    /// refuses to start) and, when it is enabled, registers the <see cref="WeChatSimulator"/>.
    /// </summary>
    public static IServiceCollection AddWeChatSimulator(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Tianmu:Simulator");
        services.AddOptions<SimulatorOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SimulatorOptions>>(sp =>
            new SimulatorOptionsValidator(sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<AppRegistry>()));
        if (section.GetValue<bool>("Enabled"))
        {
            services.AddSingleton<WeChatSimulator>();
            services.AddHttpClient(SimulatorEndpoints.PushClientName).RemoveAllLoggers();
            services.AddSingleton<WeChatServerApiSimulator>();
        }

        return services;
    }
}
