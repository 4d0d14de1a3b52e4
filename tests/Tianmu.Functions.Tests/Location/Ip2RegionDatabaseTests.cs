using System.Buffers.Binary;
using System.Text;
using Tianmu.Functions.Location;

namespace Tianmu.Functions.Tests.Location;

public sealed class Ip2RegionDatabaseTests
{
    [Fact]
    public void Lookup_finds_the_range_holding_the_address_and_nothing_in_gaps()
    {
        var database = Ip2RegionDatabase.Parse(
            BuildDatabase((10, 19, "中国|0|广东省|广州市|电信"), (30, 39, "中国|0|北京|北京市|联通"), (40, 40, "0|0|0|内网IP|内网IP")),
            "synthetic");

        Assert.Null(database.Find(9));
        Assert.Equal("广州市", database.Find(10)?.City);
        Assert.Equal("广州市", database.Find(19)?.City);
        Assert.Null(database.Find(20));
        Assert.Null(database.Find(29));
        Assert.Equal("北京", database.Find(30)?.Province);
        Assert.Equal("北京", database.Find(39)?.Province);
        Assert.Equal("内网IP", database.Find(40)?.City);
        Assert.Null(database.Find(41));
        Assert.Null(database.Find(uint.MaxValue));
    }

    [Fact]
    public void Record_fields_read_0_as_empty_and_keep_the_city_id()
    {
        var database = Ip2RegionDatabase.Parse(BuildDatabase((1, 2, "中国|0|0|0|阿里云")), "synthetic");

        Assert.Equal(new Ip2RegionRecord(101, "中国", "", "", "", "阿里云"), database.Find(1));
    }

    [Fact]
    public void Shipped_database_covers_the_whole_IPv4_space_without_gaps()
    {
        var database = Ip2RegionDatabase.Load(Ip2RegionLocator.DefaultDatabasePath);

        Assert.True(database.RangeCount > 100_000);
        Assert.NotNull(database.Find(0));
        Assert.NotNull(database.Find(uint.MaxValue));
        Assert.Equal(new Ip2RegionRecord(0, "", "", "", "内网IP", "内网IP"), database.Find(0xC0A80101)); // 192.168.1.1
    }

    [Fact]
    public void Missing_database_fails_at_construction_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tianmu-missing-{Guid.NewGuid():N}", "ip2region.db");

        var error = Assert.Throws<FileNotFoundException>(() => new Ip2RegionLocator(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[]> CorruptDatabases()
    {
        var real = File.ReadAllBytes(Ip2RegionLocator.DefaultDatabasePath);
        var badPointer = BuildDatabase((1, 2, "中国|0|广东省|广州市|电信"));
        BinaryPrimitives.WriteUInt32LittleEndian(badPointer.AsSpan(BinaryPrimitives.ReadInt32LittleEndian(badPointer) + 8), 0xFF_7FFFFF);
        var badText = BuildDatabase((1, 2, "中国|0|广东省|广州市|电信"));
        badText[8 + 8192 + 4] = 0xFF;
        var disordered = BuildDatabase((30, 39, "a|b|c|d|e"), (10, 19, "a|b|c|d|e"));
        return new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "text", Encoding.UTF8.GetBytes("this is not an ip2region database at all") },
            { "truncated", real[..100_000] },
            { "bad pointer", badPointer },
            { "bad text", badText },
            { "four fields", BuildDatabase((1, 2, "中国|0|广东省|广州市")) },
            { "disordered", disordered },
        };
    }

    [Theory]
    [MemberData(nameof(CorruptDatabases))]
    public void Corrupt_database_fails_at_construction_naming_the_path(string name, byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tianmu-corrupt-{Guid.NewGuid():N}.db");
        File.WriteAllBytes(path, content);
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => new Ip2RegionLocator(path));

            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.NotEmpty(name);
    }

    /// <summary>An ip2region v1 image: super block, an empty 8 KiB header index, records, then the index.</summary>
    private static byte[] BuildDatabase(params (uint Start, uint End, string Text)[] ranges)
    {
        var records = new MemoryStream();
        var pointers = new List<uint>();
        const int recordsStart = 8 + 8192;
        foreach (var (_, _, text) in ranges)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            pointers.Add((uint)(recordsStart + records.Length) | (uint)(bytes.Length + 4) << 24);
            var cityId = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(cityId, 100 + pointers.Count); // 101, 102, …
            records.Write(cityId);
            records.Write(bytes);
        }

        var firstIndex = recordsStart + (int)records.Length;
        var image = new byte[firstIndex + (ranges.Length * 12)];
        BinaryPrimitives.WriteUInt32LittleEndian(image, (uint)firstIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(4), (uint)(firstIndex + ((ranges.Length - 1) * 12)));
        records.ToArray().CopyTo(image, recordsStart);
        for (var i = 0; i < ranges.Length; i++)
        {
            var entry = image.AsSpan(firstIndex + (i * 12), 12);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, ranges[i].Start);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], ranges[i].End);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], pointers[i]);
        }

        return image;
    }
}
