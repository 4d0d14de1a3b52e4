namespace Tianmu.LoadTest;

/// <summary>
/// Two kinds of request from one generator, interleaved by <see cref="Phase.RunInterleavedAsync(string[], int, int, Func{int, Task{string}}[], Func{int, Task})"/>,
/// in the argument order the play phases read best in.
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
        var results = await Phase.RunInterleavedAsync([firstName, secondName], count, concurrency, [first, second], prepareFirst).ConfigureAwait(false);
        return (results[0], results[1]);
    }
}
