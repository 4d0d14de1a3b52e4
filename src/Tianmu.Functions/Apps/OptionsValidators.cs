using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Profiles;
using Tianmu.WeChat.Sessions;

namespace Tianmu.Functions.Apps;

/// <summary>Start-up checks of <c>Tianmu:Jwt</c>: the app refuses to start without a usable signing key.</summary>
public sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.SigningKey) || TianmuConfiguration.IsUnresolvedKeyVaultReference(options.SigningKey))
        {
            failures.Add("Tianmu__Jwt__SigningKey is missing (or is a Key Vault reference the platform could not resolve).");
        }
        else if (Encoding.UTF8.GetByteCount(options.SigningKey) < JwtOptions.MinimumKeyBytes)
        {
            failures.Add($"Tianmu__Jwt__SigningKey must be at least {JwtOptions.MinimumKeyBytes} bytes of UTF-8.");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("Tianmu__Jwt__Issuer may not be empty.");
        }

        if (options.Lifetime <= TimeSpan.Zero || options.Lifetime > TimeSpan.FromDays(30))
        {
            failures.Add("Tianmu__Jwt__Lifetime must be between 00:00:01 and 30.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Start-up checks of <c>Tianmu:Storage</c>.</summary>
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.TableServiceUri is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Set Tianmu__Storage__TableServiceUri (managed identity) or Tianmu__Storage__ConnectionString; outside Development there is no default.");
        }

        if (options.TableServiceUri is { } uri && (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)))
        {
            failures.Add("Tianmu__Storage__TableServiceUri must be an absolute https URI.");
        }

        if (!TableNamePattern().IsMatch(options.TableName ?? string.Empty))
        {
            failures.Add("Tianmu__Storage__TableName must be 3-63 letters or digits, starting with a letter.");
        }

        if (options.PartitionBuckets is < 1 or > ProfileKeys.MaxBuckets)
        {
            failures.Add($"Tianmu__Storage__PartitionBuckets must be between 1 and {ProfileKeys.MaxBuckets}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableNamePattern();
}

/// <summary>Start-up checks of <c>Tianmu:Login</c> and <c>Tianmu:WeChat</c>.</summary>
public sealed class TimingOptionsValidator : IValidateOptions<LoginOptions>, IValidateOptions<WeChatApiOptions>
{
    public ValidateOptionsResult Validate(string? name, LoginOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Budget > TimeSpan.Zero && options.Budget <= TimeSpan.FromMinutes(2)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Tianmu__Login__Budget must be between 00:00:00.001 and 00:02:00.");
    }

    public ValidateOptionsResult Validate(string? name, WeChatApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!options.ApiBaseUrl.IsAbsoluteUri || (options.ApiBaseUrl.Scheme != Uri.UriSchemeHttps && options.ApiBaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("Tianmu__WeChat__ApiBaseUrl must be an absolute http(s) URL.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(1))
        {
            failures.Add("Tianmu__WeChat__Timeout must be between 00:00:00.001 and 00:01:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The simulator never runs in Production, nor beside a real app secret.</summary>
public sealed class SimulatorOptionsValidator(IHostEnvironment environment, AppRegistry apps) : IValidateOptions<SimulatorOptions>
{
    /// <summary>Secrets of apps the simulator may serve start with this; anything else is taken for a real secret.</summary>
    public const string SimulatedSecretPrefix = "simulated";

    public ValidateOptionsResult Validate(string? name, SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (environment.IsProduction())
        {
            return ValidateOptionsResult.Fail("Tianmu__Simulator__Enabled is refused in the Production environment.");
        }

        var real = apps.AppIds.Where(id => apps.TryGetSecret(id, out var secret) && !secret.StartsWith(SimulatedSecretPrefix, StringComparison.Ordinal)).ToList();
        return real.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"The WeChat simulator refuses to start: app(s) {string.Join(", ", real)} have a real secret configured (simulated apps use a secret starting with '{SimulatedSecretPrefix}').");
    }
}
