using Microsoft.Extensions.Options;

namespace Tianmu.Functions.Limits;

/// <summary><c>Tianmu:Limits</c>: the abuse limits of docs/API.md, "Abuse limits". 0 turns a limit off.</summary>
public sealed class LimitsOptions
{
    /// <summary>Largest value any limit may take.</summary>
    public const int MaxLimit = 1_000_000;

    /// <summary>Requests per user (app id + open id) per minute on Bearer routes (<c>Tianmu__Limits__UserRequestsPerMinute</c>).</summary>
    public int UserRequestsPerMinute { get; set; } = 120;

    /// <summary>
    /// Logins per client IP per minute that WeChat rejected with <c>invalid_code</c>; beyond it every login from that IP
    /// answers 429 until the minute is over (<c>Tianmu__Limits__RejectedLoginsPerIpPerMinute</c>).
    /// </summary>
    public int RejectedLoginsPerIpPerMinute { get; set; } = 30;

    /// <summary>Requests per app per second on server routes (<c>Tianmu__Limits__ServerRequestsPerSecond</c>).</summary>
    public int ServerRequestsPerSecond { get; set; } = 200;
}

/// <summary>Start-up checks of <c>Tianmu:Limits</c>: the messages name the environment variable to fix.</summary>
public sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(options.UserRequestsPerMinute, "Tianmu__Limits__UserRequestsPerMinute", failures);
        Check(options.RejectedLoginsPerIpPerMinute, "Tianmu__Limits__RejectedLoginsPerIpPerMinute", failures);
        Check(options.ServerRequestsPerSecond, "Tianmu__Limits__ServerRequestsPerSecond", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(int value, string key, List<string> failures)
    {
        if (value is < 0 or > LimitsOptions.MaxLimit)
        {
            failures.Add($"{key} must be between 0 (off) and {LimitsOptions.MaxLimit}.");
        }
    }
}
