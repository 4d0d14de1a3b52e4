using System.Diagnostics;
using System.Reflection;

namespace Tianmu.Infra.Tests;

/// <summary>The Bicep CLI restored from the Azure.Bicep.CommandLine.linux-x64 package (see the project file).</summary>
public static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The environment variables infra/main.bicepparam reads.</summary>
    public static readonly string[] SecretVariables =
    [
        "TIANMU_APP_SECRETS", "TIANMU_JWT_PRIVATE_KEY", "TIANMU_JWT_PREVIOUS_PUBLIC_KEYS",
        "TIANMU_APP_SERVER_KEYS", "TIANMU_APP_PUSH_TOKENS", "TIANMU_APP_PUSH_AES_KEYS",
    ];

    public static string ExecutablePath { get; } = Locate();

    public static string InfraDirectory { get; } = Metadata("InfraDirectory");

    public static async Task<BicepResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The template reads nothing else from the environment; keep the test's secrets out of any other run.
        foreach (var name in SecretVariables)
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        using var cts = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new BicepResult(process.ExitCode, await stdout, await stderr);
    }

    private static string Locate()
    {
        var path = Metadata("BicepPath");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Bicep CLI is not at {path}: restore tests/Tianmu.Infra.Tests (it is a PackageDownload).", path);
        }

        // NuGet extracts the binary executable for its owner only; make sure whoever runs the tests may run it.
        if (OperatingSystem.IsWindows())
        {
            return path;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
        }

        return path;
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is missing: it is written by Tianmu.Infra.Tests.csproj.");
}

public sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + StandardError;

    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
