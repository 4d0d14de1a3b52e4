using Microsoft.Extensions.Options;

namespace Tianmu.Functions.Accounts;

/// <summary><c>Tianmu:Account</c> (docs/API.md, "DELETE /api/account" and "Operator configuration").</summary>
public sealed class AccountOptions
{
    /// <summary>The configuration section, under <c>Tianmu</c>.</summary>
    public const string Section = "Account";

    /// <summary>How old a token's <c>auth_time</c> may be for <c>DELETE /api/account</c> (<c>Tianmu__Account__RecentLogin</c>).</summary>
    public TimeSpan RecentLogin { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Start-up checks of <c>Tianmu:Account</c>.</summary>
public sealed class AccountOptionsValidator : IValidateOptions<AccountOptions>
{
    /// <summary>Longest accepted <see cref="AccountOptions.RecentLogin"/>: a day is no longer "recent".</summary>
    public static readonly TimeSpan MaxRecentLogin = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, AccountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.RecentLogin <= TimeSpan.Zero || options.RecentLogin > MaxRecentLogin
            ? ValidateOptionsResult.Fail("Tianmu__Account__RecentLogin must be between 00:00:01 and 1.00:00:00.")
            : ValidateOptionsResult.Success;
    }
}
