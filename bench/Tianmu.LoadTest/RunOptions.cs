using System.Globalization;

namespace Tianmu.LoadTest;

/// <summary>Command line: <c>[load|coldstart|all|compose] [--requests N] [--warmup N] [--concurrency 1,16] [--buckets N]
/// [--host PATH] [--variant LABEL=PATH]... [--runs N] [--out FILE] [--smoke]</c>.</summary>
internal sealed record RunOptions
{
    public string Command { get; init; } = "all";
    public int Requests { get; init; } = 5000;
    public int Warmup { get; init; } = 500;
    public IReadOnlyList<int> Concurrency { get; init; } = [1, 16];
    public int Buckets { get; init; } = 1;
    public string? HostPath { get; init; }
    public IReadOnlyList<(string Label, string Path)> Variants { get; init; } = [];
    public int ColdRuns { get; init; } = 5;
    public string? OutFile { get; init; }

    public static RunOptions Parse(string[] args)
    {
        var options = new RunOptions();
        var variants = new List<(string, string)>();
        var i = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            options = options with { Command = args[0] };
            i = 1;
        }

        for (; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Number() => int.Parse(Value(), CultureInfo.InvariantCulture);
            options = name switch
            {
                "--requests" => options with { Requests = Number() },
                "--warmup" => options with { Warmup = Number() },
                "--concurrency" => options with { Concurrency = [.. Value().Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))] },
                "--buckets" => options with { Buckets = Number() },
                "--host" => options with { HostPath = Value() },
                "--runs" => options with { ColdRuns = Number() },
                "--out" => options with { OutFile = Value() },
                "--smoke" => options with { Requests = 40, Warmup = 10, Concurrency = [4], ColdRuns = 1 },
                "--variant" => AddVariant(options, variants, Value()),
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }

        return options with { Variants = variants };
    }

    private static RunOptions AddVariant(RunOptions options, List<(string, string)> variants, string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException("--variant takes LABEL=PATH-TO-Tianmu.LocalHost.dll.");
        }

        variants.Add((value[..equals], value[(equals + 1)..]));
        return options;
    }
}
