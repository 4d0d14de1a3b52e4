using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tianmu.Functions.Tokens;

/// <summary>
/// Loads the token keys when the host starts (so a Development key is generated, and its Warning written, at start and
/// not at the first login) and warns when the first release's <c>Tianmu__Jwt__SigningKey</c> is still set: it is no
/// longer read, and an HS256 secret left in the settings is one more secret to leak.
/// </summary>
public sealed partial class SigningKeysStartup(SigningKeys keys, bool legacySigningKeySet, ILogger<SigningKeysStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (legacySigningKeySet)
        {
            LogLegacySigningKey(logger);
        }

        LogKeys(logger, keys.Current.KeyId, keys.All.Count - 1);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning,
        Message = "Tianmu__Jwt__SigningKey is set but no longer read: tokens are ES256, signed with Tianmu__Jwt__PrivateKey. Remove the setting")]
    private static partial void LogLegacySigningKey(ILogger logger);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Signing tokens with key {Kid}; {PreviousCount} previous key(s) accepted")]
    private static partial void LogKeys(ILogger logger, string kid, int previousCount);
}
