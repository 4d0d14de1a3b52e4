using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tianmu.Testing;

namespace Tianmu.LocalHost.Tests;

/// <summary>The local host started the way the README says (<c>dotnet run --project src/Tianmu.LocalHost</c>).</summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LocalHostProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseUrl { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the host; the build of this test run is reused (<c>--no-build</c>).</summary>
    public static LocalHostProcess Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var port = Azurite.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository.Root(),
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "run", "--no-build", "-c", Configuration, "--project", "src/Tianmu.LocalHost", "--" }
                     .Concat(arguments)
                     .Concat(["--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"]))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet run did not start.");
        return new LocalHostProcess(process, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Waits until <c>/api/health</c> answers, or the process exits.</summary>
    public async Task<bool> WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout && !_process.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        return false;
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stops the host as Ctrl+C in its terminal would: SIGINT to the app that <c>dotnet run</c> started
    /// (a terminal sends it to the whole process group), so that the app stops what it started.
    /// </summary>
    public async Task<bool> StopGracefullyAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return true;
        }

        using (var interrupt = Process.Start("pkill", ["-INT", "-P", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        return await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
