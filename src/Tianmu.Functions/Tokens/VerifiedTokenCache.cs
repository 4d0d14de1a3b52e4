using System.Collections.Concurrent;

namespace Tianmu.Functions.Tokens;

/// <summary>
/// Tokens whose signature and claims <see cref="TokenService"/> has already verified, keyed by the full token string
/// (any change to header, claims or signature is another key), so that the bearer requests of one session pay for the
/// ECDSA verification once. Only what does not depend on time is cached: the lifetime is checked again on every hit
/// against the injected clock. The keys and apps of a process never change, so a cached result stays true for the
/// token's lifetime. Bounded: at <see cref="Capacity"/> entries the cache is emptied and refills with the tokens in use.
/// </summary>
public sealed class VerifiedTokenCache
{
    /// <summary>Most entries kept (a token is about 600 bytes: a full cache holds a few MiB).</summary>
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The number of entries now.</summary>
    public int Count => _entries.Count;

    /// <summary>The verified subject of a token seen before, with its <c>nbf</c> and <c>exp</c> (UTC); false for any other.</summary>
    public bool TryGet(string token, out TokenSubject subject, out DateTime notBefore, out DateTime expires)
    {
        if (_entries.TryGetValue(token, out var entry))
        {
            (subject, notBefore, expires) = (entry.Subject, entry.NotBefore, entry.Expires);
            return true;
        }

        (subject, notBefore, expires) = (null!, default, default);
        return false;
    }

    /// <summary>Remembers a token that passed every check that does not depend on time.</summary>
    public void Add(string token, TokenSubject subject, DateTime notBefore, DateTime expires)
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[token] = new Entry(subject, notBefore, expires);
    }

    private sealed record Entry(TokenSubject Subject, DateTime NotBefore, DateTime Expires);
}
