using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.DependencyInjection;

namespace Tianmu.Functions.Diagnostics;

/// <summary>
/// jscode2session carries the app secret and the login code in its query string. Application Insights
/// records outgoing HTTP calls with their URL; this strips every query before a dependency leaves the process.
/// </summary>
public sealed class QueryRedactingTelemetryInitializer : ITelemetryInitializer
{
    public void Initialize(ITelemetry telemetry)
    {
        if (telemetry is DependencyTelemetry dependency)
        {
            dependency.Data = StripQuery(dependency.Data);
            dependency.Name = StripQuery(dependency.Name);
        }
    }

    public static string StripQuery(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value ?? string.Empty;
        }

        var query = value.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? value : value[..query];
    }
}

public static class TelemetryRedactionExtensions
{
    public static IServiceCollection AddTianmuTelemetryRedaction(this IServiceCollection services) =>
        services.AddSingleton<ITelemetryInitializer, QueryRedactingTelemetryInitializer>();
}
