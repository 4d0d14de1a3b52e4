using System.Diagnostics;
using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tianmu.Functions;
using Tianmu.Functions.Diagnostics;
using Tianmu.Functions.Login;
using Tianmu.Functions.UserInfo;

namespace Tianmu.LoadTest;

/// <summary>
/// The Functions worker's own share of a cold start, which is all that can run here without Azure Functions Core
/// Tools: in a fresh process, the worker's Program (FunctionsApplication builder, ASP.NET Core integration,
/// Application Insights, AddTianmu), Build(), and resolving both function classes with everything they depend on
/// (token keys, the ip2region database, the TableClient). The host's own start and the gRPC handshake are not in it.
/// </summary>
internal static class ComposeProbe
{
    private const string Marker = "compose-ms=";

    /// <summary>Runs in the child process: composes, prints the time since the process started, exits.</summary>
    public static int Run(string[] args)
    {
        var sinceStart = Stopwatch.StartNew();
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
        builder.Services.AddTianmuTelemetryRedaction();
        builder.Services.AddTianmu(builder.Configuration, builder.Environment);
        using var app = builder.Build();
        _ = ActivatorUtilities.GetServiceOrCreateInstance<LoginFunction>(app.Services);
        _ = ActivatorUtilities.GetServiceOrCreateInstance<UpdateUserInfoFunction>(app.Services);
        var total = DateTime.Now - Process.GetCurrentProcess().StartTime;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Marker}{total.TotalMilliseconds:F1} main-ms={sinceStart.Elapsed.TotalMilliseconds:F1}"));
        return 0;
    }

    public static async Task<ColdStartResult> MeasureAsync(int runs)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(typeof(ComposeProbe).Assembly.Location);
            start.ArgumentList.Add("compose");
            start.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
            start.Environment["DOTNET_ENVIRONMENT"] = "Development";
            start.Environment[$"Tianmu__Apps__{HostProcess.AppId}__Secret"] = HostProcess.AppSecret;
            start.Environment["Tianmu__Storage__ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteProcess.AccountKey};TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
            using var process = Process.Start(start) ?? throw new InvalidOperationException("The probe did not start.");
            var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
            var error = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
            await process.WaitForExitAsync().ConfigureAwait(false);
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
            if (process.ExitCode != 0 || line is null)
            {
                throw new InvalidOperationException($"The composition probe failed ({process.ExitCode}): {output} {error}");
            }

            times.Add(double.Parse(line[Marker.Length..].Split(' ')[0], CultureInfo.InvariantCulture));
        }

        return new ColdStartResult("Functions worker: Program + DI composition (no host)", "Tianmu.LoadTest compose", [.. times.Order()], 0);
    }
}
