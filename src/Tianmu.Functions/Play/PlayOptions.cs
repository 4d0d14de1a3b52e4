using Microsoft.Extensions.Options;

namespace Tianmu.Functions.Play;

/// <summary><c>Tianmu:Play</c>: the heartbeat and share rules (docs/API.md, "Play time and shares").</summary>
public sealed class PlayOptions
{
    /// <summary>
    /// The longest time between two beats (or a login and a beat) that still counts as play; a longer gap credits nothing
    /// and starts a new session (<c>Tianmu__Play__MaxGap</c>).
    /// </summary>
    public TimeSpan MaxGap { get; set; } = TimeSpan.FromSeconds(150);

    /// <summary>
    /// A beat sooner than this after the last one credits nothing and writes nothing (<c>Tianmu__Play__MinInterval</c>).
    /// </summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most shares of one user counted per UTC+8 day (<c>Tianmu__Play__MaxSharesPerDay</c>).</summary>
    public int MaxSharesPerDay { get; set; } = 50;
}

/// <summary>Start-up checks of <c>Tianmu:Play</c>; every message names the environment variable.</summary>
public sealed class PlayOptionsValidator : IValidateOptions<PlayOptions>
{
    /// <summary>The longest <see cref="PlayOptions.MaxGap"/> accepted.</summary>
    public static readonly TimeSpan MaxMaxGap = TimeSpan.FromHours(1);

    /// <summary>The largest <see cref="PlayOptions.MaxSharesPerDay"/> accepted.</summary>
    public const int MaxMaxSharesPerDay = 10_000;

    public ValidateOptionsResult Validate(string? name, PlayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxGap < TimeSpan.FromSeconds(1) || options.MaxGap > MaxMaxGap)
        {
            failures.Add("Tianmu__Play__MaxGap must be between 00:00:01 and 01:00:00.");
        }

        if (options.MinInterval < TimeSpan.FromSeconds(1) || options.MinInterval > options.MaxGap)
        {
            failures.Add("Tianmu__Play__MinInterval must be at least 00:00:01 and not longer than Tianmu__Play__MaxGap.");
        }

        if (options.MaxSharesPerDay is < 0 or > MaxMaxSharesPerDay)
        {
            failures.Add($"Tianmu__Play__MaxSharesPerDay must be between 0 and {MaxMaxSharesPerDay}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
