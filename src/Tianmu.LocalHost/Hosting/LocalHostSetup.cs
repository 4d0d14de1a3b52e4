namespace Tianmu.LocalHost.Hosting;

/// <summary>
/// What the local host adds to the shared configuration: its default address (like <c>func start</c>),
/// the <c>--simulate-wechat</c> switch, and the embedded Azurite when no storage is configured.
/// </summary>
public sealed partial class LocalHostSetup
{
    public const string DefaultUrl = "http://127.0.0.1:7071";
    public const string SimulateSwitch = "--simulate-wechat";

    private LocalAzurite? _azurite;

    public bool SimulateWeChat { get; private init; }

    /// <summary>Separates this host's own switches from the arguments ASP.NET Core reads as configuration.</summary>
    public static (string[] HostArgs, bool SimulateWeChat) ReadSwitches(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return ([.. args.Where(a => a != SimulateSwitch)], args.Contains(SimulateSwitch, StringComparer.Ordinal));
    }

    public static LocalHostSetup Configure(WebApplicationBuilder builder, bool simulateWeChat)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (simulateWeChat)
        {
            configuration["Tianmu:Simulator:Enabled"] = "true";
        }

        var urls = configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls))
        {
            urls = DefaultUrl;
            builder.WebHost.UseUrls(urls);
        }

        var setup = new LocalHostSetup { SimulateWeChat = configuration.GetValue<bool>("Tianmu:Simulator:Enabled") };
        if (setup.SimulateWeChat)
        {
            // jscode2session goes to this very host.
            configuration["Tianmu:WeChat:ApiBaseUrl"] = SelfUrl(urls);
        }

        using (var keyLoggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole()))
        {
            DevelopmentSigningKey.Apply(builder, keyLoggerFactory.CreateLogger<LocalHostSetup>());
        }

        var storage = configuration.GetSection("Tianmu:Storage");
        if (string.IsNullOrWhiteSpace(storage["ConnectionString"]) && string.IsNullOrWhiteSpace(storage["TableServiceUri"]))
        {
            using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole());
            var logger = loggerFactory.CreateLogger<LocalHostSetup>();
            if (LocalAzurite.IsListening(LocalAzurite.TablePort))
            {
                LogExistingAzurite(logger);
            }
            else
            {
                setup._azurite = LocalAzurite.Start(logger);
            }

            configuration["Tianmu:Storage:ConnectionString"] = "UseDevelopmentStorage=true";
        }

        return setup;
    }

    /// <summary>Stops the embedded Azurite with the host.</summary>
    public void Attach(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (_azurite is { } azurite)
        {
            app.Lifetime.ApplicationStopped.Register(azurite.Dispose);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.Dispose();
        }
    }

    /// <summary>The address this host can reach itself at: the first URL, with wildcard hosts made loopback.</summary>
    public static string SelfUrl(string urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        var uri = new Uri(first.Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal));
        var host = uri.Host is "0.0.0.0" or "localhost" or "[::]" ? "127.0.0.1" : uri.Host;
        return $"{uri.Scheme}://{host}:{uri.Port}";
    }

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Using the Azurite already listening on 127.0.0.1:10002")]
    private static partial void LogExistingAzurite(ILogger logger);
}
