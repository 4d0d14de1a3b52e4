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
    public static async Task<PhaseResult> RunAsync(string name, int count, int concurrency, Func<int, Task<string?>> operation) =>
        (await RunInterleavedAsync([name], count, concurrency, [operation]).ConfigureAwait(false))[0];

    /// <summary>
    /// Runs several operations interleaved, from the same workers and the same index generator: each worker takes the
    /// next index and runs every operation once for it, in an order that rotates with the index (so neither side always
    /// goes first). The app's request and its bare baseline thus share every moment of the run, and a busy neighbour
    /// on this shared machine slows both alike; the ratio of their percentiles is the portable figure.
    /// </summary>
    /// <param name="prepare">Optional untimed work for an index, run before its operations (e.g. the beat that puts the
    /// next one inside the minimum interval, whatever the machine's speed).</param>
    public static async Task<PhaseResult[]> RunInterleavedAsync(
        string[] names, int count, int concurrency, Func<int, Task<string?>>[] operations, Func<int, Task>? prepare = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(operations);
        var sides = operations.Length;
        var ticks = new long[sides][];
        for (var side = 0; side < sides; side++)
        {
            ticks[side] = new long[count];
        }

        var errors = new int[sides];
        var firstErrors = new string?[sides];
        var next = -1;
        var wall = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                if (prepare is not null)
                {
                    await prepare(i).ConfigureAwait(false);
                }

                for (var step = 0; step < sides; step++)
                {
                    var side = (i + step) % sides;
                    var started = Stopwatch.GetTimestamp();
                    string? error;
                    try
                    {
                        error = await operations[side](i).ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // A failed request is counted, whatever the cause; the run goes on.
                    catch (Exception exception)
#pragma warning restore CA1031
                    {
                        error = exception.GetType().Name + ": " + exception.Message;
                    }

                    ticks[side][i] = Stopwatch.GetTimestamp() - started;
                    if (error is not null)
                    {
                        Interlocked.Increment(ref errors[side]);
                        Interlocked.CompareExchange(ref firstErrors[side], error, null);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        wall.Stop();
        return [.. Enumerable.Range(0, sides).Select(side => new PhaseResult(
            names[side],
            concurrency,
            [.. ticks[side].Select(t => t * 1000.0 / Stopwatch.Frequency).Order()],
            wall.Elapsed / sides,
            errors[side],
            firstErrors[side]))];
    }

    /// <summary>Two operations interleaved (see the general overload); one result each.</summary>
    public static async Task<(PhaseResult First, PhaseResult Second)> RunInterleavedAsync(
        string firstName, string secondName, int count, int concurrency, Func<int, Task<string?>> first, Func<int, Task<string?>> second)
    {
        var results = await RunInterleavedAsync([firstName, secondName], count, concurrency, [first, second]).ConfigureAwait(false);
        return (results[0], results[1]);
    }
}
