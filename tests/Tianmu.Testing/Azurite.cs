using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tianmu.LocalHost.Hosting;

namespace Tianmu.Testing;

/// <summary>
/// A real Azurite table service and blob service for tests: started from the repository's npm tools on free ports,
/// in memory, and stoppable/restartable on the same ports to test storage outages.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account key (public, documented by Microsoft).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Process? _process;
    private Process? _blobProcess;

    private Azurite(int port, int blobPort)
    {
        Port = port;
        BlobPort = blobPort;
    }

    /// <summary>The table service's port.</summary>
    public int Port { get; }

    /// <summary>The blob service's port.</summary>
    public int BlobPort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;";

    public static async Task<Azurite> StartAsync()
    {
        var azurite = new Azurite(FreePort(), FreePort());
        await azurite.StartProcessAsync().ConfigureAwait(false);
        return azurite;
    }

    /// <summary>Stops the service (its in-memory data is lost); requests fail until <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        var processes = new[] { _process, _blobProcess };
        _process = null;
        _blobProcess = null;
        foreach (var process in processes.OfType<Process>())
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }

            process.Dispose();
        }
    }

    public Task RestartAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task StartProcessAsync()
    {
        var executable = Path.Combine(Repository.ToolsDirectory(), "node_modules", ".bin", "azurite-table");
        _process = LocalAzurite.StartTableService(executable, Port, ["--inMemoryPersistence", "--silent"]);
        _blobProcess = LocalAzurite.StartBlobService(
            Path.Combine(Repository.ToolsDirectory(), "node_modules", ".bin", "azurite-blob"), BlobPort, ["--inMemoryPersistence", "--silent"]);
        return Task.CompletedTask;
    }
}

/// <summary>Finds the repository the tests run from, and installs its npm tools once when missing.</summary>
public static class Repository
{
    private static readonly Lazy<string> Tools = new(EnsureTools);

    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests must run from inside the repository (Functions.sln not found above " + AppContext.BaseDirectory + ").");
    }

    public static string ToolsDirectory() => Tools.Value;

    private static string EnsureTools()
    {
        var tools = Path.Combine(Root(), "tools");
        if (!File.Exists(Path.Combine(tools, "node_modules", ".bin", "azurite-table")))
        {
            var start = new ProcessStartInfo("npm") { UseShellExecute = false };
            foreach (var argument in new[] { "ci", "--no-audit", "--no-fund", "--prefix", tools })
            {
                start.ArgumentList.Add(argument);
            }

            using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start.");
            npm.WaitForExit();
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException("npm ci in tools/ failed; is Node.js installed?");
            }
        }

        return tools;
    }
}
