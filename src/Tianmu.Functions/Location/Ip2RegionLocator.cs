using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Tianmu.Functions.Location;

/// <summary>
/// Locates IPv4 addresses in China with the offline ip2region v1 database, in full official names.
/// Register as a singleton: the database is read, checked and normalized once, at construction.
/// </summary>
/// <remarks>
/// Unknown (all empty) for: null, IPv6 other than IPv4-mapped, special-purpose IPv4 ranges (private, loopback,
/// CGNAT, link-local, multicast, documentation, reserved, broadcast), addresses outside China, and records
/// without a province. ip2region has no district level, so <see cref="IpLocation.District"/> is always empty.
/// </remarks>
public sealed class Ip2RegionLocator : IIpLocator
{
    /// <summary>Special-purpose IPv4 blocks (RFC 6890 and friends) that never locate, as (network, prefix length).</summary>
    private static readonly (uint Network, int PrefixLength)[] NonPublicBlocks =
    [
        (0x00000000, 8),  // 0.0.0.0/8 "this network"
        (0x0A000000, 8),  // 10.0.0.0/8 private
        (0x64400000, 10), // 100.64.0.0/10 carrier-grade NAT
        (0x7F000000, 8),  // 127.0.0.0/8 loopback
        (0xA9FE0000, 16), // 169.254.0.0/16 link-local
        (0xAC100000, 12), // 172.16.0.0/12 private
        (0xC0000000, 24), // 192.0.0.0/24 IETF protocol assignments
        (0xC0000200, 24), // 192.0.2.0/24 documentation (TEST-NET-1)
        (0xC0586300, 24), // 192.88.99.0/24 former 6to4 relay anycast
        (0xC0A80000, 16), // 192.168.0.0/16 private
        (0xC6120000, 15), // 198.18.0.0/15 benchmarking
        (0xC6336400, 24), // 198.51.100.0/24 documentation (TEST-NET-2)
        (0xCB007100, 24), // 203.0.113.0/24 documentation (TEST-NET-3)
        (0xE0000000, 4),  // 224.0.0.0/4 multicast
        (0xF0000000, 4),  // 240.0.0.0/4 reserved, with 255.255.255.255 broadcast
    ];

    private readonly Ip2RegionDatabase _database;

    /// <summary>The location of each of the database's records, by the record's position.</summary>
    private readonly IpLocation[] _locations;

    /// <summary>Reads the database shipped with the app, <see cref="DefaultDatabasePath"/>.</summary>
    public Ip2RegionLocator()
        : this(DefaultDatabasePath)
    {
    }

    /// <summary>Reads the database at <paramref name="databasePath"/>.</summary>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed ip2region v1 database.</exception>
    public Ip2RegionLocator(string databasePath)
    {
        _database = Ip2RegionDatabase.Load(databasePath);
        var records = _database.Records;
        _locations = new IpLocation[records.Count];
        for (var i = 0; i < _locations.Length; i++)
        {
            _locations[i] = ToLocation(records[i]);
        }
    }

    /// <summary><c>data/ip2region.db</c> beside the app, where the Functions project copies it at build time.</summary>
    public static string DefaultDatabasePath => Path.Combine(AppContext.BaseDirectory, "data", "ip2region.db");

    /// <inheritdoc />
    public IpLocation Locate(IPAddress? address)
    {
        if (address is null || !TryGetIPv4(address, out var ipv4) || !IsPublic(ipv4))
        {
            return IpLocation.Unknown;
        }

        var record = _database.FindRecordIndex(ipv4);
        return record < 0 ? IpLocation.Unknown : _locations[record];
    }

    /// <summary>What a record means under the contract: only Chinese records with a known province locate.</summary>
    internal static IpLocation ToLocation(Ip2RegionRecord record)
    {
        if (record.Country != "中国")
        {
            return IpLocation.Unknown;
        }

        var province = ChineseDivisionNames.Province(record.Province);
        return province.Length == 0
            ? IpLocation.Unknown
            : new IpLocation(province, ChineseDivisionNames.City(province, record.City), string.Empty);
    }

    /// <summary>The IPv4 address as a big-endian number, from an IPv4 or IPv4-mapped IPv6 address, without allocating.</summary>
    private static bool TryGetIPv4(IPAddress address, out uint ipv4)
    {
        ipv4 = 0;
        Span<byte> bytes = stackalloc byte[16];
        switch (address.AddressFamily)
        {
            case AddressFamily.InterNetwork when address.TryWriteBytes(bytes, out var written) && written == 4:
                ipv4 = BinaryPrimitives.ReadUInt32BigEndian(bytes);
                return true;
            case AddressFamily.InterNetworkV6 when address.IsIPv4MappedToIPv6
                && address.TryWriteBytes(bytes, out var written) && written == 16:
                ipv4 = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether an IPv4 address (big-endian number) lies outside every special-purpose block.</summary>
    internal static bool IsPublic(uint ipv4)
    {
        foreach (var (network, prefixLength) in NonPublicBlocks)
        {
            var mask = uint.MaxValue << (32 - prefixLength);
            if ((ipv4 & mask) == network)
            {
                return false;
            }
        }

        return true;
    }
}
