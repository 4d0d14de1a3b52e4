using System.Diagnostics;

namespace Tianmu.LoadTest;

/// <summary>One timed phase: every request's latency (sorted), wall time, errors.</summary>
internal sealed record PhaseResult(string Name, int Concurrency, double[] LatenciesMs, TimeSpan Elapsed, int Errors, string? FirstError)
{
    public int Count => LatenciesMs.Length;

    public double Throughput => Count / Elapsed.TotalSeconds;

    public double P50 => Percentile(0.50);

    public double P95 => Percentile(0.95);

    public double P99 => Percentile(0.99);

    public double Mean => LatenciesMs.Length == 0 ? 0 : LatenciesMs.Average();

    public double Percentile(double p) =>
        LatenciesMs.Length == 0 ? 0 : LatenciesMs[Math.Clamp((int)Math.Ceiling(p * LatenciesMs.Length) - 1, 0, LatenciesMs.Length - 1)];
}

/// <summary>Runs a fixed number of operations at a fixed concurrency: N workers take the next index until all are done.</summary>
internal static class Phase
{
    /// <summary>The operation returns null on success, else a short description of the failure.</summary>
    public static async Task<PhaseResult> RunAsync(string name, int count, int concurrency, Func<int, Task<string?>> operation)
    {
        var ticks = new long[count];
        var next = -1;
        var errors = 0;
        string? firstError = null;
        var wall = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    error = await operation(i).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // A failed request is counted, whatever the cause; the run goes on.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    error = exception.GetType().Name + ": " + exception.Message;
                }

                ticks[i] = Stopwatch.GetTimestamp() - started;
                if (error is not null)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        wall.Stop();
        var latencies = ticks.Select(t => t * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        return new PhaseResult(name, concurrency, latencies, wall.Elapsed, errors, firstError);
    }

    /// <summary>
    /// Two operations interleaved from the same workers (request 2k is <paramref name="first"/>(k), 2k+1 is
    /// <paramref name="second"/>(k)), so that a busy neighbour on the machine moves both alike; one result each.
    /// </summary>
    public static async Task<(PhaseResult First, PhaseResult Second)> RunInterleavedAsync(
        string firstName, string secondName, int count, int concurrency, Func<int, Task<string?>> first, Func<int, Task<string?>> second)
    {
        var latencies = new double[2 * count];
        var failures = new string?[2 * count];
        var all = await RunAsync("interleaved", 2 * count, concurrency, async j =>
        {
            var started = Stopwatch.GetTimestamp();
            var error = await (j % 2 == 0 ? first(j / 2) : second(j / 2)).ConfigureAwait(false);
            latencies[j] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            failures[j] = error;
            return error;
        }).ConfigureAwait(false);
        PhaseResult Part(string name, int parity)
        {
            var indexes = Enumerable.Range(0, 2 * count).Where(j => j % 2 == parity).ToArray();
            return new PhaseResult(
                name,
                concurrency,
                [.. indexes.Select(j => latencies[j]).Order()],
                all.Elapsed,
                indexes.Count(j => failures[j] is not null),
                indexes.Select(j => failures[j]).FirstOrDefault(f => f is not null));
        }

        return (Part(firstName, 0), Part(secondName, 1));
    }
}
