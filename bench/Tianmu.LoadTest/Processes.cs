using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tianmu.LocalHost.Hosting;

namespace Tianmu.LoadTest;

/// <summary>Where things are: the checkout this runner was built in.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string DefaultHost => Path.Combine(Root, "src", "Tianmu.LocalHost", "bin", "Release", "net10.0", "Tianmu.LocalHost.dll");

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the repository (Functions.sln not found).");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Peak and current resident set of a process, in MiB, from /proc (Linux only; 0 elsewhere).</summary>
    public static (double PeakMiB, double CurrentMiB) Memory(int pid)
    {
        var path = $"/proc/{pid}/status";
        if (!File.Exists(path))
        {
            return (0, 0);
        }

        double Read(string[] lines, string key) =>
            lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) is { } line
                ? double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024
                : 0;
        var status = File.ReadAllLines(path);
        return (Read(status, "VmHWM:"), Read(status, "VmRSS:"));
    }
}

/// <summary>Azurite's table service in memory on a free port: its own instance, shared with nobody.</summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;

    private AzuriteProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public static async Task<AzuriteProcess> StartAsync()
    {
        var executable = Path.Combine(Repository.Root, "tools", "node_modules", ".bin", "azurite-table");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run 'npm ci --prefix tools' first.");
        }

        var port = Repository.FreePort();
        var process = await Task.Run(() => LocalAzurite.StartTableService(executable, port, ["--inMemoryPersistence", "--silent"])).ConfigureAwait(false);
        return new AzuriteProcess(process, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }
}

/// <summary>
/// The local host as a child process: <c>dotnet Tianmu.LocalHost.dll --simulate-wechat --urls …</c> in the Development
/// environment against the given Azurite; its console goes to a log file, not through this process.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    public const string AppId = "wxloadtest00000001";
    public const string AppSecret = "simulated-load-test-secret";

    /// <summary>The load app's server key (a value for this run only).</summary>
    public const string ServerKey = "simulated-load-test-server-key-0123456789";

    private readonly Process _process;

    private HostProcess(Process process, Uri baseUrl, string logFile)
    {
        _process = process;
        BaseUrl = baseUrl;
        LogFile = logFile;
    }

    public Uri BaseUrl { get; }

    public string LogFile { get; }

    public int Pid => _process.Id;

    /// <summary>Starts the host and returns at once; the caller decides what "ready" means.</summary>
    public static HostProcess Start(string hostDll, AzuriteProcess azurite, string tableName, int buckets)
    {
        if (!File.Exists(hostDll))
        {
            throw new InvalidOperationException($"{hostDll} is missing: build or publish the local host first (see docs/PERFORMANCE.md).");
        }

        var port = Repository.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var logFile = Path.Combine(Path.GetTempPath(), $"tianmu-loadtest-host-{port}.log");
        // exec: the shell becomes the host, so the pid is the host's own (for its peak memory).
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(hostDll)! };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec dotnet \"$0\" --urls \"$1\" --simulate-wechat > \"$2\" 2>&1");
        start.ArgumentList.Add(hostDll);
        start.ArgumentList.Add(url);
        start.ArgumentList.Add(logFile);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Tianmu__Storage__ConnectionString"] = azurite.ConnectionString;
        start.Environment["Tianmu__Storage__TableName"] = tableName;
        start.Environment["Tianmu__Storage__PartitionBuckets"] = buckets.ToString(CultureInfo.InvariantCulture);
        start.Environment["Tianmu__Play__MinInterval"] = PlayLoad.MinInterval.ToString("c", CultureInfo.InvariantCulture);
        start.Environment["Tianmu__Play__MaxGap"] = PlayLoad.MaxGap.ToString("c", CultureInfo.InvariantCulture);
        start.Environment[$"Tianmu__Apps__{AppId}__Secret"] = AppSecret;
        start.Environment[$"Tianmu__Apps__{AppId}__ServerKey"] = ServerKey;
        // The run measures what requests cost, not the abuse limits: one studio server sending wallet transactions at
        // full speed would otherwise meet the per-app limit of the server routes (docs/RELIABILITY.md covers the limits).
        start.Environment["Tianmu__Limits__ServerRequestsPerSecond"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The local host did not start.");
        return new HostProcess(process, new Uri(url), logFile);
    }

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }
}
