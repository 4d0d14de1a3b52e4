using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Limits;

namespace Tianmu.Functions.Servers;

/// <summary>
/// The one authentication of server routes (docs/API.md, "Server routes" and the <c>invalid_server_key</c> row): the
/// header <c>X-Tianmu-Server-Key</c> must carry the server key of the app named in the route. Every server route asks
/// this class; none reads the header itself. A key in the query string is never read; the key is never logged. Once the
/// key passes, the app's server-route limit (docs/API.md, "Abuse limits") is counted here, so every server route has it.
/// </summary>
public sealed class ServerKeyAuthenticator
{
    /// <summary>The header that carries the key.</summary>
    public const string HeaderName = "X-Tianmu-Server-Key";

    /// <summary>The challenge of a 401 <c>invalid_server_key</c> answer.</summary>
    public const string Challenge = "TianmuServerKey";

    // SHA-256 digests of the configured keys: the comparison runs over 32 bytes whatever the lengths of the two keys,
    // so neither the time nor the code path tells how long the key is or where it first differs.
    private readonly FrozenDictionary<string, byte[]> _digests;
    private readonly byte[] _noKey = SHA256.HashData(RandomNumberGenerator.GetBytes(32));
    private readonly AbuseLimits _limits;

    /// <summary>Reads each app's server key from the registry.</summary>
    public ServerKeyAuthenticator(AppRegistry apps, AbuseLimits limits)
    {
        ArgumentNullException.ThrowIfNull(apps);
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
        var digests = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var appId in apps.AppIds)
        {
            if (apps.TryGetServerKey(appId, out var key))
            {
                digests[appId] = SHA256.HashData(Encoding.UTF8.GetBytes(key));
            }
        }

        _digests = digests.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// Passes when the request's <c>X-Tianmu-Server-Key</c> header (exactly one value) equals the server key of
    /// <paramref name="appId"/>, compared in constant time.
    /// </summary>
    /// <param name="request">The request; only its header is read.</param>
    /// <param name="appId">The app named in the route, as sent (an app that is unknown, malformed or without a key fails).</param>
    /// <exception cref="ApiException">401 <c>invalid_server_key</c> (with <c>WWW-Authenticate: TianmuServerKey</c>) for a
    /// missing, repeated or wrong key, a key of another app, an app without a server key or one not served here; 429
    /// <c>rate_limited</c> over the app's <c>Tianmu__Limits__ServerRequestsPerSecond</c>.</exception>
    public void Authenticate(HttpRequest request, string? appId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sent = request.Headers[HeaderName];
        var expected = appId is not null && _digests.TryGetValue(appId, out var digest) ? digest : null;
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        var key = sent.Count == 1 ? sent[0] ?? string.Empty : string.Empty;
        SHA256.HashData(Encoding.UTF8.GetBytes(key), actual);
        var equal = CryptographicOperations.FixedTimeEquals(actual, expected ?? _noKey);
        if (!equal || expected is null || sent.Count != 1 || key.Length == 0)
        {
            throw InvalidServerKey();
        }

        _limits.AcquireServerRequest(appId!);
    }

    /// <summary>The answer to a server route without the right key.</summary>
    public static ApiException InvalidServerKey() =>
        new(ApiErrorCode.InvalidServerKey, $"The header {HeaderName} must carry this app's server key.");
}
