using System.Globalization;
using Tianmu.LoadTest;

if (args.Length > 0 && args[0] == "compose")
{
    return ComposeProbe.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "bare-server")
{
    return BareServer.Run(args[1..]);
}

var options = RunOptions.Parse(args);
var log = Console.Out;
log.WriteLine($"Tianmu load test: {options.Command}, {options.Requests} requests per phase after {options.Warmup} warm-up, concurrency {string.Join(",", options.Concurrency)}, buckets {options.Buckets}");

LoadReport? load = null;
IReadOnlyList<ColdStartResult>? cold = null;
if (options.Command is "load" or "all")
{
    load = await LoadRun.RunAsync(options, log);
}

if (options.Command is "coldstart" or "all")
{
    cold = await ColdStart.RunAsync(options, log);
}

if (load is null && cold is null)
{
    Console.Error.WriteLine("Commands: load, coldstart, all (default), compose.");
    return 2;
}

var markdown = Report.Markdown(options, load, cold);
log.WriteLine();
log.WriteLine(markdown);
if (options.OutFile is { } file)
{
    await File.WriteAllTextAsync(file, markdown);
}

// Errors must be zero: a run with any fails.
var errors = load?.Phases.Sum(p => p.Errors) ?? 0;
if (errors > 0)
{
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{errors} requests failed."));
    return 1;
}

return 0;
