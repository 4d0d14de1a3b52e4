using System.Collections.Frozen;

namespace Tianmu.Functions.Apps;

/// <summary>The WeChat apps this deployment serves, by app id compared ordinally (<c>WX…</c> is not <c>wx…</c>).</summary>
public sealed class AppRegistry
{
    private readonly FrozenDictionary<string, string> _secrets;

    public AppRegistry(IEnumerable<KeyValuePair<string, string>> secrets)
    {
        _secrets = secrets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<string> AppIds => _secrets.Keys;

    public bool Contains(string appId) => _secrets.ContainsKey(appId);

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
}
