using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// Where a user's rows live (docs/API.md, "Storage"): PartitionKey = app id, or with N &gt; 1 buckets app id + "-" +
/// two-digit bucket, bucket = first byte of SHA-256(UTF-8 open id) mod N. The profile's RowKey is the open id; every
/// other row of a user shares the profile's partition and starts its RowKey with <c>~</c>, which no id contains.
/// </summary>
public sealed partial class ProfileKeys(IOptions<StorageOptions> options)
{
    /// <summary>Most partitions per app.</summary>
    public const int MaxBuckets = 100;

    private readonly int _buckets = options.Value.PartitionBuckets;

    /// <summary>Partitions per app (<c>Tianmu__Storage__PartitionBuckets</c>).</summary>
    public int Buckets => _buckets;

    /// <summary>
    /// The pattern of app ids and open ids, <c>^[A-Za-z0-9_-]{1,64}\z</c> (docs/API.md, "POST /api/login"; the whole string: <c>$</c> would let a trailing line break through): it also keeps
    /// every character Table Storage forbids in a key (<c>/ \ # ?</c>, control characters) out of storage.
    /// </summary>
    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    public static partial Regex IdPattern();

    /// <summary>True for a string that may be an app id or an open id, and so a storage key.</summary>
    public static bool IsLegalId([NotNullWhen(true)] string? value) => value is not null && IdPattern().IsMatch(value);

    /// <summary>Every partition an app's rows can live in (one per bucket), for the rare search across them.</summary>
    public IEnumerable<string> AllPartitionKeys(string appId) =>
        _buckets <= 1 ? [appId] : Enumerable.Range(0, _buckets).Select(bucket => string.Create(CultureInfo.InvariantCulture, $"{appId}-{bucket:00}"));

    /// <summary>The PartitionKey of a user's rows.</summary>
    public string PartitionKey(string appId, string openId)
    {
        if (_buckets <= 1)
        {
            return appId;
        }

        Span<byte> utf8 = stackalloc byte[256];
        var length = Encoding.UTF8.GetBytes(openId, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        var bucket = hash[0] % _buckets;
        return string.Create(CultureInfo.InvariantCulture, $"{appId}-{bucket:00}");
    }
}
