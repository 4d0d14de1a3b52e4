using System.Diagnostics;

namespace Tianmu.LoadTest;

/// <summary>
/// Two kinds of request from one generator, alternating (even indexes the first kind, odd the second), so that a busy
/// neighbour on the machine slows both alike and their ratio stays fair. Each kind gets its own latencies; its
/// requests/s is its count over the shared wall time (its share of the mixed load).
/// </summary>
internal static class InterleavedPhase
{
    /// <summary>Runs <paramref name="count"/> requests of each kind; each operation gets the user index and answers null on success.</summary>
    /// <param name="prepareFirst">Optional untimed work run just before each request of the first kind (e.g. the beat that
    /// puts the next one inside the minimum interval, whatever the machine's speed).</param>
    public static async Task<(PhaseResult First, PhaseResult Second)> RunAsync(
        string firstName, Func<int, Task<string?>> first, string secondName, Func<int, Task<string?>> second, int count, int concurrency,
        Func<int, Task>? prepareFirst = null)
    {
        var ticks = new long[2 * count];
        var errors = new int[2];
        var firstErrors = new string?[2];
        var next = -1;
        var wall = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < 2 * count)
            {
                var kind = i % 2;
                if (kind == 0 && prepareFirst is not null)
                {
                    await prepareFirst(i / 2).ConfigureAwait(false);
                }

                var started = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    error = await (kind == 0 ? first(i / 2) : second(i / 2)).ConfigureAwait(false);
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
                    Interlocked.Increment(ref errors[kind]);
                    Interlocked.CompareExchange(ref firstErrors[kind], error, null);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        wall.Stop();
        PhaseResult Result(int kind, string name) => new(
            name,
            concurrency,
            [.. ticks.Where((_, i) => i % 2 == kind).Select(t => t * 1000.0 / Stopwatch.Frequency).Order()],
            wall.Elapsed,
            errors[kind],
            firstErrors[kind]);
        return (Result(0, firstName), Result(1, secondName));
    }
}
