using System.Collections.Frozen;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Configuration;
using Tianmu.Functions.Profiles;
using Tianmu.WeChat.Crypto;

namespace Tianmu.Functions.Apps;

/// <summary>
/// The WeChat apps this deployment serves (<c>Tianmu__Apps__&lt;app_id&gt;__Secret</c>, docs/API.md "Operator
/// configuration"), by app id compared ordinally (<c>WX…</c> is not <c>wx…</c>), the key of each app's server
/// routes (<c>Tianmu__Apps__&lt;app_id&gt;__ServerKey</c>, docs/API.md "Server routes") and each app's WeChat message
/// push settings (<c>__PushToken</c>, <c>__PushAesKey</c>, docs/API.md "GET and POST /api/wechat/push/{app_id}").
/// </summary>
public sealed partial class AppRegistry
{
    /// <summary>Fewest characters of a server key (docs/API.md, "Server routes").</summary>
    public const int MinServerKeyLength = 32;

    private readonly FrozenDictionary<string, string> _secrets;
    private readonly FrozenDictionary<string, string> _serverKeys;
    private readonly FrozenDictionary<string, PushCredentials> _push;

    /// <summary>
    /// A registry of the given app ids and their WeChat AppSecrets, the server keys of those that have one, and the
    /// message push settings of those that have them (entries of apps not in <paramref name="secrets"/> are ignored).
    /// </summary>
    public AppRegistry(
        IEnumerable<KeyValuePair<string, string>> secrets,
        IEnumerable<KeyValuePair<string, string>>? serverKeys = null,
        IEnumerable<KeyValuePair<string, PushCredentials>>? push = null)
    {
        _secrets = secrets.ToFrozenDictionary(StringComparer.Ordinal);
        _serverKeys = (serverKeys ?? []).Where(k => _secrets.ContainsKey(k.Key)).ToFrozenDictionary(StringComparer.Ordinal);
        _push = (push ?? []).Where(app => _secrets.ContainsKey(app.Key)).ToFrozenDictionary(StringComparer.Ordinal);
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
    /// The app's WeChat message push settings (<c>Tianmu__Apps__&lt;app_id&gt;__PushToken</c> / <c>__PushAesKey</c>);
    /// false when the app has no push route (not served here, or no push token).
    /// </summary>
    public bool TryGetPush(string appId, out PushCredentials push) => _push.TryGetValue(appId, out push!);

    /// <summary>
    /// Reads <c>Tianmu:Apps</c>. An app id outside the id pattern, or an app whose secret is missing or an unresolved
    /// Key Vault reference, is logged at Error and left out: one broken app must not take the others down, and logins
    /// to it answer <c>unknown_app</c>. A server key that is missing or an unresolved Key Vault reference leaves the app
    /// without server routes; one that is too short stops the app at start (<see cref="ServerKeyOptionsValidator"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">A push token or AES key is set but malformed (the message names the
    /// variable); <see cref="AppRegistryStartupCheck"/> turns it into a start-up failure.</exception>
    public static AppRegistry Load(IConfigurationSection apps, ILogger<AppRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(apps);
        var secrets = new List<KeyValuePair<string, string>>();
        var serverKeys = new List<KeyValuePair<string, string>>();
        var push = new List<KeyValuePair<string, PushCredentials>>();
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

                if (ReadPush(app, logger) is { } credentials)
                {
                    push.Add(new(app.Key, credentials));
                }
            }
        }

        return new AppRegistry(secrets, serverKeys, push);
    }

    // docs/API.md, "GET and POST /api/wechat/push/{app_id}": no token, no push route. An AES key whose Key Vault
    // reference did not resolve also closes the route (logged at Error): falling back to plain mode would accept
    // unsigned bodies for an app its operator meant to run in safe mode.
    private static PushCredentials? ReadPush(IConfigurationSection app, ILogger logger)
    {
        var token = app["PushToken"];
        var aesKey = app["PushAesKey"];
        if (!string.IsNullOrEmpty(token) && !TianmuConfiguration.IsUnresolvedKeyVaultReference(token) && !WeChatPushSignature.IsValidToken(token))
        {
            throw new InvalidOperationException($"Tianmu__Apps__{app.Key}__PushToken must be {WeChatPushSignature.MinTokenLength}-{WeChatPushSignature.MaxTokenLength} ASCII letters or digits.");
        }

        if (!string.IsNullOrEmpty(aesKey) && !TianmuConfiguration.IsUnresolvedKeyVaultReference(aesKey) && !WeChatMessageCrypto.IsValidEncodingAesKey(aesKey))
        {
            throw new InvalidOperationException($"Tianmu__Apps__{app.Key}__PushAesKey must be WeChat's {WeChatMessageCrypto.EncodingAesKeyLength}-character EncodingAESKey.");
        }

        if (string.IsNullOrEmpty(token) || TianmuConfiguration.IsUnresolvedKeyVaultReference(token))
        {
            if (TianmuConfiguration.IsUnresolvedKeyVaultReference(token) || !string.IsNullOrEmpty(aesKey))
            {
                LogMissingPushToken(logger, app.Key);
            }

            return null;
        }

        if (TianmuConfiguration.IsUnresolvedKeyVaultReference(aesKey))
        {
            LogUnresolvedPushAesKey(logger, app.Key);
            return null;
        }

        return new PushCredentials(token, string.IsNullOrEmpty(aesKey) ? null : aesKey);
    }

    /// <summary>The configured server key when it is set, resolved and long enough; else null.</summary>
    public static string? UsableServerKey(string? configured) =>
        string.IsNullOrEmpty(configured) || TianmuConfiguration.IsUnresolvedKeyVaultReference(configured) || configured.Length < MinServerKeyLength
            ? null
            : configured;

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "An app id under Tianmu:Apps is not 1-64 letters, digits, _ or - and is ignored")]
    private static partial void LogIllegalAppId(ILogger logger);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "App {AppId} has a push setting but no usable push token (missing or an unresolved Key Vault reference): it has no push route")]
    private static partial void LogMissingPushToken(ILogger logger, string appId);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "App {AppId} has a push AES key that is an unresolved Key Vault reference: its push route is closed")]
    private static partial void LogUnresolvedPushAesKey(ILogger logger, string appId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "App {AppId} has no usable secret (missing or an unresolved Key Vault reference) and is not served")]
    private static partial void LogMissingSecret(ILogger logger, string appId);
}

/// <summary>
/// An app's WeChat message push settings (docs/API.md, "GET and POST /api/wechat/push/{app_id}").
/// </summary>
/// <param name="Token">The push token (3–32 ASCII letters or digits) that signs every push.</param>
/// <param name="AesKey">The 43-character EncodingAESKey of safe mode; null for an app in plain mode. An app with a key
/// accepts only safe-mode POSTs.</param>
public sealed record PushCredentials(string Token, string? AesKey)
{
    /// <summary>Never prints the token or the key.</summary>
    public override string ToString() => AesKey is null ? "PushCredentials(plain)" : "PushCredentials(safe)";
}

/// <summary>Marker options whose validation loads the <see cref="AppRegistry"/> at start-up.</summary>
public sealed class AppRegistryStartupCheck;

/// <summary>
/// Loads the app registry when the host starts, so that a malformed push setting stops the app with a message naming
/// the variable instead of failing the first request.
/// </summary>
public sealed class AppRegistryStartupValidator(IServiceProvider services) : IValidateOptions<AppRegistryStartupCheck>
{
    public ValidateOptionsResult Validate(string? name, AppRegistryStartupCheck options)
    {
        try
        {
            _ = services.GetRequiredService<AppRegistry>();
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException exception)
        {
            return ValidateOptionsResult.Fail(exception.Message);
        }
    }
}
