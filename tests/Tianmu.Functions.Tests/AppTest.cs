using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Tianmu.Functions.Tests;

/// <summary>
/// Base of the tests that start apps and, when the test ends, check that none of them leaked a secret (no app
/// secret, session key, signing key or encryptedData in any answer or log line) and record the test's figures for
/// docs/RELIABILITY.md.
/// </summary>
public abstract class AppTest(AppFixture fixture) : IAsyncLifetime
{
    private readonly List<AppUnderTest> _apps = [];
    private readonly Stopwatch _clock = new();

    protected AppFixture Fixture { get; } = fixture;

    protected Task<AppUnderTest> StartAppAsync(
        IDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? configureServices = null,
        string? storageConnectionString = null,
        StorageSpy? spy = null,
        string? environment = null) =>
        TrackAsync(Fixture.StartAppAsync(overrides, configureServices, storageConnectionString, spy, environment));

    public ValueTask InitializeAsync()
    {
        _clock.Start();
        return ValueTask.CompletedTask;
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        foreach (var app in _apps)
        {
            SecretsWitness.AssertClean(app, Fixture.WeChat);
        }

        Figures.Record("secrets", "answers searched (cumulative)", SecretsWitness.Answers);
        Figures.Record("secrets", "log lines searched (cumulative)", SecretsWitness.LogLines);
        Figures.Record("secrets", "secret searches (cumulative)", SecretsWitness.Searches);
        Figures.Record("test", TestContext.Current.Test?.TestDisplayName ?? GetType().Name, _clock.Elapsed.TotalMilliseconds);
        return ValueTask.CompletedTask;
    }

    private async Task<AppUnderTest> TrackAsync(Task<AppUnderTest> starting)
    {
        var app = await starting;
        lock (_apps)
        {
            _apps.Add(app);
        }

        return app;
    }
}

/// <summary>Figures of the last run, written beside the test assembly (reliability-figures.jsonl) for docs/RELIABILITY.md.</summary>
public static class Figures
{
    private static readonly string FilePath = Path.Combine(AppContext.BaseDirectory, "reliability-figures.jsonl");
    private static readonly Lock Gate = new();

    static Figures()
    {
        File.Delete(FilePath);
    }

    public static void Record(string kind, string name, double value)
    {
        var line = JsonSerializer.Serialize(new { kind, name, value = Math.Round(value, 1), at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) });
        lock (Gate)
        {
            File.AppendAllText(FilePath, line + "\n");
        }
    }
}
