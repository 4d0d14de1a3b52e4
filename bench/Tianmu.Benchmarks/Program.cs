using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// Short jobs by default: the machine is small and shared, and a full run must stay well under ten minutes.
// Any --job on the command line (e.g. "--job Dry" for a CI smoke run) replaces the default.
var config = args.Any(a => a is "--job" or "-j")
    ? DefaultConfig.Instance
    : DefaultConfig.Instance.AddJob(Job.ShortRun.WithId("ShortRun"));
BenchmarkSwitcher.FromAssembly(typeof(Tianmu.Benchmarks.Payloads).Assembly).Run(args, config);
