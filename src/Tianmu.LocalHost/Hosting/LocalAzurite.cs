using System.Diagnostics;
using System.Net.Sockets;

namespace Tianmu.LocalHost.Hosting;

/// <summary>
/// The embedded default store: when no storage is configured and nothing listens on Azurite's table port,
/// start Azurite's table service (port 10002) and blob service (port 10000, the avatars) from the repository's npm tools
/// (installing them when missing), keep their data in <c>.azurite/</c> (ignored by git), and stop them when the host stops.
/// </summary>
public sealed partial class LocalAzurite : IDisposable
{
    public const int TablePort = 10002;

    /// <summary>Azurite's default blob port, which <c>UseDevelopmentStorage=true</c> points at.</summary>
    public const int BlobPort = 10000;

    private readonly Process[] _processes;

    private LocalAzurite(Process[] processes, string dataDirectory)
    {
        _processes = processes;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts Azurite from the repository that holds this host; throws with advice when it cannot.</summary>
    public static LocalAzurite Start(ILogger logger)
    {
        var root = RepositoryRoot()
            ?? throw new InvalidOperationException(
                "No storage is configured and Azurite is not running on 127.0.0.1:10002. Start Azurite, or set Tianmu__Storage__ConnectionString.");
        var tools = Path.Combine(root, "tools");
        var azurite = Path.Combine(tools, "node_modules", ".bin", "azurite-table");
        if (!File.Exists(azurite))
        {
            LogInstalling(logger, tools);
            Run("npm", ["ci", "--no-audit", "--no-fund", "--prefix", tools]);
        }

        var data = Path.Combine(root, ".azurite");
        Directory.CreateDirectory(data);
        var table = StartTableService(azurite, TablePort, ["--location", data]);
        var processes = new List<Process> { table };
        if (!IsListening(BlobPort))
        {
            processes.Add(StartBlobService(Path.Combine(tools, "node_modules", ".bin", "azurite-blob"), BlobPort, ["--location", data]));
        }

        LogStarted(logger, data);
        return new LocalAzurite([.. processes], data);
    }

    /// <summary>
    /// Starts Azurite's table service on 127.0.0.1:<paramref name="port"/> with the given storage arguments
    /// (<c>--location</c> or <c>--inMemoryPersistence</c>) and waits until it accepts connections.
    /// </summary>
    public static Process StartTableService(string executable, int port, IEnumerable<string> storageArguments) =>
        StartService(executable, "--tableHost", "--tablePort", port, storageArguments);

    /// <summary>
    /// Starts Azurite's blob service (<c>azurite-blob</c>) on 127.0.0.1:<paramref name="port"/> with the given storage
    /// arguments and waits until it accepts connections.
    /// </summary>
    public static Process StartBlobService(string executable, int port, IEnumerable<string> storageArguments) =>
        StartService(executable, "--blobHost", "--blobPort", port, storageArguments);

    private static Process StartService(string executable, string hostSwitch, string portSwitch, int port, IEnumerable<string> storageArguments)
    {
        ArgumentNullException.ThrowIfNull(storageArguments);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] common = [hostSwitch, "127.0.0.1", portSwitch, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--skipApiVersionCheck", "--disableTelemetry"];
        foreach (var argument in common.Concat(storageArguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!IsListening(port))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                process.Dispose();
                throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{port} within 30 seconds.");
            }

            Thread.Sleep(50);
        }

        return process;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }
    }

    /// <summary>The checkout this host runs from: the nearest folder above it holding Functions.sln and tools/.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")) && File.Exists(Path.Combine(directory.FullName, "tools", "package.json")))
                {
                    return directory.FullName;
                }
            }
        }

        return null;
    }

    private static void Run(string fileName, string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' failed with exit code {process.ExitCode}.");
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Installing Azurite with npm into {Tools}")]
    private static partial void LogInstalling(ILogger logger, string tools);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Started Azurite (Table Storage on 127.0.0.1:10002, Blob Storage on 127.0.0.1:10000); its data lives in {DataDirectory}")]
    private static partial void LogStarted(ILogger logger, string dataDirectory);
}
