using Microsoft.Extensions.Options;
using Tianmu.Functions.Configuration;

namespace Tianmu.Functions.Apps;

/// <summary>The per-app settings read at start-up to check server keys (<c>Tianmu:Apps</c>).</summary>
public sealed class ServerKeyOptions
{
    /// <summary>Every configured app by id, as bound from <c>Tianmu:Apps</c>.</summary>
    public Dictionary<string, AppSettings> Apps { get; } = new(StringComparer.Ordinal);

    /// <summary>One app's entry under <c>Tianmu:Apps:&lt;app_id&gt;</c>.</summary>
    public sealed class AppSettings
    {
        /// <summary><c>Tianmu__Apps__&lt;app_id&gt;__ServerKey</c>: the key of the app's server routes.</summary>
        public string? ServerKey { get; set; }
    }
}

/// <summary>
/// Start-up check of server keys (docs/API.md, "Operator configuration"): a server key that is configured (and not an
/// unresolved Key Vault reference, which counts as missing) must have at least
/// <see cref="AppRegistry.MinServerKeyLength"/> characters; otherwise the app does not start. The message names the
/// variable, never the value.
/// </summary>
public sealed class ServerKeyOptionsValidator : IValidateOptions<ServerKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Apps
            .Where(app => !string.IsNullOrEmpty(app.Value.ServerKey)
                          && !TianmuConfiguration.IsUnresolvedKeyVaultReference(app.Value.ServerKey)
                          && app.Value.ServerKey.Length < AppRegistry.MinServerKeyLength)
            .Select(app => $"Tianmu__Apps__{app.Key}__ServerKey must be at least {AppRegistry.MinServerKeyLength} characters.")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
