using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tianmu.Functions.Diagnostics;

/// <summary>
/// jscode2session carries the app secret and the login code in its query string, and WeChat's pushes carry signatures
/// and nonces in theirs (docs/API.md, "GET and POST /api/wechat/push/{app_id}"). Application Insights records outgoing
/// calls and incoming requests with their URL; this strips every query before a dependency or a request leaves the process.
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
        else if (telemetry is RequestTelemetry request)
        {
            request.Name = StripQuery(request.Name);
            if (request.Url is { Query.Length: > 0 } url)
            {
                request.Url = new UriBuilder(url) { Query = string.Empty }.Uri;
            }
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
    /// <summary>
    /// The logging categories that write a request's URL with its query string (ASP.NET Core's "Request starting …
    /// ?signature=…" lines), raised to Warning under any host so that a push's query never reaches a log.
    /// </summary>
    public static IReadOnlyList<string> UrlLoggingCategories { get; } = ["Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.HttpLogging"];

    /// <summary>Keeps request URLs (with their query strings) out of every log: see <see cref="UrlLoggingCategories"/>.</summary>
    public static IServiceCollection AddRequestUrlLogRedaction(this IServiceCollection services) =>
        services.AddLogging(logging =>
        {
            foreach (var category in UrlLoggingCategories)
            {
                logging.AddFilter(category, LogLevel.Warning);
            }
        });

    public static IServiceCollection AddTianmuTelemetryRedaction(this IServiceCollection services) =>
        services.AddSingleton<ITelemetryInitializer, QueryRedactingTelemetryInitializer>();
}
