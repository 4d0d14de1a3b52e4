using System.Collections.Frozen;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Tianmu.Functions.Configuration;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Apps;

/// <summary>
/// The WeChat apps this deployment serves (<c>Tianmu__Apps__&lt;app_id&gt;__Secret</c>, docs/API.md "Operator
/// configuration"), by app id compared ordinally (<c>WX…</c> is not <c>wx…</c>), and the key of each app's server
/// routes (<c>Tianmu__Apps__&lt;app_id&gt;__ServerKey</c>, docs/API.md "Server routes").
/// </summary>
public sealed partial class AppRegistry
{
    /// <summary>Fewest characters of a server key (docs/API.md, "Server routes").</summary>
    public const int MinServerKeyLength = 32;

    private readonly FrozenDictionary<string, string> _secrets;
    private readonly FrozenDictionary<string, string> _serverKeys;

    /// <summary>A registry of the given app ids and their WeChat AppSecrets, and the server keys of those that have one.</summary>
    public AppRegistry(IEnumerable<KeyValuePair<string, string>> secrets, IEnumerable<KeyValuePair<string, string>>? serverKeys = null)
    {
        _secrets = secrets.ToFrozenDictionary(StringComparer.Ordinal);
        _serverKeys = (serverKeys ?? []).Where(k => _secrets.ContainsKey(k.Key)).ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// The key of the app's server routes; false when the app is not served here or has no server key (then it has
    /// no server routes). Secret: compare it only in constant time and never log it.
    /// </summary>
    public bool TryGetServerKey(string appId, out string serverKey)
    {
        if (_serverKeys.TryGetValue(appId, out var value))
        {
            serverKey = value;
            return true;
        }

        serverKey = string.Empty;
        return false;
    }

    /// <summary>Every app id served.</summary>
    public IEnumerable<string> AppIds => _secrets.Keys;

    /// <summary>True when the app is served here.</summary>
    public bool Contains(string appId) => _secrets.ContainsKey(appId);

    /// <summary>The app's WeChat AppSecret; false when the app is not served here.</summary>
    public bool TryGetSecret(string appId, out string secret)
    {
        if (_secrets.TryGetValue(appId, out var value))
        {
            secret = value;
            return true;
        }

        secret = string.Empty;
        return false;
    }

    /// <summary>
    /// Reads <c>Tianmu:Apps</c>. An app id outside the id pattern, or an app whose secret is missing or an unresolved
    /// Key Vault reference, is logged at Error and left out: one broken app must not take the others down, and logins
    /// to it answer <c>unknown_app</c>. A server key that is missing or an unresolved Key Vault reference leaves the app
    /// without server routes; one that is too short stops the app at start (<see cref="ServerKeyOptionsValidator"/>).
    /// </summary>
    public static AppRegistry Load(IConfigurationSection apps, ILogger<AppRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(apps);
        var secrets = new List<KeyValuePair<string, string>>();
        var serverKeys = new List<KeyValuePair<string, string>>();
        foreach (var app in apps.GetChildren())
        {
            var secret = app["Secret"];
            if (!ProfileKeys.IsLegalId(app.Key))
            {
                LogIllegalAppId(logger);
            }
            else if (string.IsNullOrEmpty(secret) || TianmuConfiguration.IsUnresolvedKeyVaultReference(secret))
            {
                LogMissingSecret(logger, app.Key);
            }
            else
            {
                secrets.Add(new(app.Key, secret));
                if (UsableServerKey(app["ServerKey"]) is { } serverKey)
                {
                    serverKeys.Add(new(app.Key, serverKey));
                }
            }
        }

        return new AppRegistry(secrets, serverKeys);
    }

    /// <summary>The configured server key when it is set, resolved and long enough; else null.</summary>
    public static string? UsableServerKey(string? configured) =>
        string.IsNullOrEmpty(configured) || TianmuConfiguration.IsUnresolvedKeyVaultReference(configured) || configured.Length < MinServerKeyLength
            ? null
            : configured;

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "An app id under Tianmu:Apps is not 1-64 letters, digits, _ or - and is ignored")]
    private static partial void LogIllegalAppId(ILogger logger);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "App {AppId} has no usable secret (missing or an unresolved Key Vault reference) and is not served")]
    private static partial void LogMissingSecret(ILogger logger, string appId);
}
