using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// Where a profile lives: PartitionKey = app id, or with N &gt; 1 buckets app id + "-" + two-digit bucket,
/// bucket = first byte of SHA-256(UTF-8 open id) mod N (API.md, "Storage").
/// </summary>
public sealed class ProfileKeys(IOptions<StorageOptions> options)
{
    public const int MaxBuckets = 100;

    private readonly int _buckets = options.Value.PartitionBuckets;

    public int Buckets => _buckets;

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
