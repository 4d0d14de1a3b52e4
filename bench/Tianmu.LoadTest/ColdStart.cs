using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Tianmu.LoadTest;

/// <summary>
/// Time from process start to the first answered login (200) of the local host, per build variant; and, for the
/// Functions worker (which cannot run here without Core Tools), the app's share of its cold start measured in a fresh
/// process by <see cref="ComposeProbe"/>.
/// </summary>
internal static class ColdStart
{
    public static async Task<IReadOnlyList<ColdStartResult>> RunAsync(RunOptions options, TextWriter log)
    {
        var variants = options.Variants.Count > 0 ? options.Variants : DefaultVariants();
        var results = new List<ColdStartResult>();
        await using var azurite = await AzuriteProcess.StartAsync().ConfigureAwait(false);
        var run = 0;
        foreach (var (label, path) in variants)
        {
            var times = new List<double>();
            var memory = new List<double>();
            for (var i = 0; i < options.ColdRuns; i++)
            {
                // A new table each time: creating it is part of a real first login.
                var (elapsed, peak) = await FirstLoginAsync(Path.GetFullPath(path), azurite, $"cold{run++}").ConfigureAwait(false);
                times.Add(elapsed.TotalMilliseconds);
                memory.Add(peak);
            }

            var result = new ColdStartResult(label, path, [.. times.Order()], memory.Max());
            log.WriteLine($"  cold start {label,-28} median {result.Median,7:F0} ms (runs: {string.Join(", ", result.Runs.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))})");
            results.Add(result);
        }

        var probe = await ComposeProbe.MeasureAsync(options.ColdRuns).ConfigureAwait(false);
        log.WriteLine($"  Functions worker composition median {probe.Median:F0} ms");
        results.Add(probe);
        return results;
    }

    private static List<(string, string)> DefaultVariants()
    {
        var bin = Path.Combine(Repository.Root, "src", "Tianmu.LocalHost", "bin");
        var candidates = new (string, string)[]
        {
            ("local host, Debug build", Path.Combine(bin, "Debug", "net10.0", "Tianmu.LocalHost.dll")),
            ("local host, Release build", Path.Combine(bin, "Release", "net10.0", "Tianmu.LocalHost.dll")),
            ("local host, Release + ReadyToRun", Path.Combine(Repository.Root, "artifacts", "localhost-r2r", "Tianmu.LocalHost.dll")),
        };
        return [.. candidates.Where(c => File.Exists(c.Item2))];
    }

    private static async Task<(TimeSpan Elapsed, double PeakMiB)> FirstLoginAsync(string hostDll, AzuriteProcess azurite, string table)
    {
        var clock = Stopwatch.StartNew();
        await using var host = HostProcess.Start(hostDll, azurite, table, buckets: 1);
        using var http = LoadRun.NewClient(host.BaseUrl, 1);
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException($"The host exited; see {host.LogFile}.");
            }

            try
            {
                using var content = LoadRun.Json(new Dictionary<string, object> { ["app_id"] = HostProcess.AppId, ["code"] = "test-cold" });
                using var response = await http.PostAsync("/api/login", content).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    var elapsed = clock.Elapsed;
                    return (elapsed, Repository.Memory(host.Pid).PeakMiB);
                }

                throw new InvalidOperationException($"The first login answered {(int)response.StatusCode}; see {host.LogFile}.");
            }
            catch (HttpRequestException exception) when (exception.InnerException is SocketException)
            {
                // Not listening yet.
                await Task.Delay(5).ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException($"No login answered within 60 s; see {host.LogFile}.");
    }
}

internal sealed record ColdStartResult(string Label, string Path, double[] Runs, double PeakMiB)
{
    public double Median => Runs.Length == 0 ? 0 : Runs[(Runs.Length - 1) / 2];
}
