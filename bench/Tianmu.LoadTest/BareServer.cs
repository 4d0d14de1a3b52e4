using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tianmu.Functions.Profiles;

namespace Tianmu.LoadTest;

/// <summary>
/// The floor of any HTTP service over this storage: a bare Kestrel endpoint (no validation, WeChat, tokens or
/// logging) that does exactly the storage work of one request. Run as its own process like the local host, so that
/// <c>Tianmu / bare HTTP + storage</c> isolates what Tianmu's own code adds from the cost of an HTTP hop.
/// </summary>
internal static class BareServer
{
    public static int Run(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.ClearProviders();
        var table = LoadRun.NewTableClient(builder.Configuration["Bare:ConnectionString"]!, "barehttp");
        table.CreateIfNotExists();
        var app = builder.Build();
        app.MapPost("/bare/insert/{partition}/{id}", async (string partition, string id) =>
        {
            var missing = await table.GetEntityIfExistsAsync<ProfileEntity>(partition, id).ConfigureAwait(false);
            if (missing.HasValue)
            {
                return Results.Conflict();
            }

            await table.AddEntityAsync(LoadRun.SampleProfile(partition, id, 0)).ConfigureAwait(false);
            return Results.Ok();
        });
        app.MapPost("/bare/replace/{partition}/{id}", async (string partition, string id) =>
        {
            var entity = (await table.GetEntityAsync<ProfileEntity>(partition, id).ConfigureAwait(false)).Value;
            entity.LoginTimes++;
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace).ConfigureAwait(false);
            return Results.Ok();
        });
        app.MapGet("/health", () => Results.Ok());
        app.Run();
        return 0;
    }

    /// <summary>Starts this runner as the bare server, with Server GC like the local host (an ASP.NET Core app's default).</summary>
    public static KilledOnDispose Start(AzuriteProcess azurite, out Uri baseUrl)
    {
        var port = Repository.FreePort();
        baseUrl = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(BareServer).Assembly.Location);
        start.ArgumentList.Add("bare-server");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl.ToString().TrimEnd('/'));
        start.Environment["DOTNET_gcServer"] = "1";
        start.Environment["Bare__ConnectionString"] = azurite.ConnectionString;
        var process = Process.Start(start) ?? throw new InvalidOperationException("The bare server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new KilledOnDispose(process);
    }
}

/// <summary>A child process that does not outlive its owner, whatever happens to the run.</summary>
internal sealed class KilledOnDispose(Process process) : IDisposable
{
    public bool HasExited => process.HasExited;

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }
}
