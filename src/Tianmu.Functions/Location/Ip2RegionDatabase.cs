using System.Buffers.Binary;
using System.Text;

namespace Tianmu.Functions.Location;

/// <summary>One region record of the ip2region v1 database, fields as the data has them with <c>0</c> read as empty.</summary>
public sealed record Ip2RegionRecord(int CityId, string Country, string Region, string Province, string City, string Isp);

/// <summary>
/// An in-memory reader of the ip2region v1 <c>.db</c> format (the one the npm package <c>ip2region@2.x</c> ships).
/// </summary>
/// <remarks>
/// Layout, little-endian throughout:
/// <list type="bullet">
/// <item>bytes 0–7: super block, the file offsets of the first and of the last index entry;</item>
/// <item>bytes 8–8199: a header index that only speeds up disk-based searches (not used here);</item>
/// <item>region records, each a 4-byte city id followed by UTF-8 text <c>国家|区域|省份|城市|ISP</c>;</item>
/// <item>index entries of 12 bytes, ordered by address: start IP, end IP, and a data pointer whose low
/// 3 bytes are the record's offset and whose high byte is its length (city id included);</item>
/// <item>a short trailer (a copyright line) after the last entry.</item>
/// </list>
/// The file is read and checked once; the index is decoded into flat arrays and every distinct record is decoded
/// once, so a lookup is a binary search with no allocation. Immutable after construction, hence thread-safe.
/// </remarks>
public sealed class Ip2RegionDatabase
{
    private const int SuperBlockLength = 8;
    private const int IndexEntryLength = 12;
    private const int CityIdLength = 4;
    private const int FieldCount = 5;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly uint[] _starts;
    private readonly uint[] _ends;
    private readonly int[] _recordIndexes;
    private readonly Ip2RegionRecord[] _records;

    private Ip2RegionDatabase(uint[] starts, uint[] ends, int[] recordIndexes, Ip2RegionRecord[] records)
    {
        _starts = starts;
        _ends = ends;
        _recordIndexes = recordIndexes;
        _records = records;
    }

    /// <summary>The distinct region records, in the order of their first appearance in the index.</summary>
    public IReadOnlyList<Ip2RegionRecord> Records => _records;

    /// <summary>How many address ranges the index holds.</summary>
    public int RangeCount => _starts.Length;

    /// <summary>Reads and checks a database file.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed ip2region v1 database.</exception>
    public static Ip2RegionDatabase Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The ip2region database was not found at '{path}'. It ships with the app as data/ip2region.db, " +
                "copied at build time from the npm package ip2region (tools/node_modules).", path);
        }

        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Checks and decodes a database image; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ip2region v1 database.</exception>
    public static Ip2RegionDatabase Parse(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length < SuperBlockLength + IndexEntryLength)
        {
            throw Corrupt(source, $"it is {data.Length} bytes long, too short for a super block and one index entry");
        }

        long firstIndex = BinaryPrimitives.ReadUInt32LittleEndian(data);
        long lastIndex = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (firstIndex < SuperBlockLength || lastIndex < firstIndex || (lastIndex - firstIndex) % IndexEntryLength != 0
            || lastIndex + IndexEntryLength > data.Length)
        {
            throw Corrupt(source, $"the super block points to an impossible index ({firstIndex}..{lastIndex} in {data.Length} bytes)");
        }

        var count = (int)((lastIndex - firstIndex) / IndexEntryLength) + 1;
        var starts = new uint[count];
        var ends = new uint[count];
        var recordIndexes = new int[count];
        var records = new List<Ip2RegionRecord>();
        var recordByPointer = new Dictionary<uint, int>();

        var index = data[(int)firstIndex..(int)(lastIndex + IndexEntryLength)];
        for (var i = 0; i < count; i++)
        {
            var entry = index.Slice(i * IndexEntryLength, IndexEntryLength);
            var start = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            var end = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            var pointer = BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
            if (start > end || (i > 0 && start <= ends[i - 1]))
            {
                throw Corrupt(source, $"index entry {i} ({start}..{end}) is empty or out of order");
            }

            if (!recordByPointer.TryGetValue(pointer, out var recordIndex))
            {
                recordIndex = records.Count;
                records.Add(DecodeRecord(data, pointer, firstIndex, source, i));
                recordByPointer.Add(pointer, recordIndex);
            }

            starts[i] = start;
            ends[i] = end;
            recordIndexes[i] = recordIndex;
        }

        return new Ip2RegionDatabase(starts, ends, recordIndexes, [.. records]);
    }

    /// <summary>The record of the range holding <paramref name="address"/> (an IPv4 address as a big-endian number), or null.</summary>
    public Ip2RegionRecord? Find(uint address)
    {
        var i = FindRecordIndex(address);
        return i < 0 ? null : _records[i];
    }

    /// <summary>The position in <see cref="Records"/> of the record holding <paramref name="address"/>, or -1.</summary>
    public int FindRecordIndex(uint address)
    {
        // First range whose end is at or above the address; it holds the address if it also starts at or below it.
        var ends = _ends;
        int low = 0, high = ends.Length - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            if (ends[mid] < address)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low < ends.Length && _starts[low] <= address ? _recordIndexes[low] : -1;
    }

    private static Ip2RegionRecord DecodeRecord(ReadOnlySpan<byte> data, uint pointer, long firstIndex, string source, int entry)
    {
        var offset = (int)(pointer & 0x00FF_FFFF);
        var length = (int)(pointer >> 24);
        if (length < CityIdLength || offset < SuperBlockLength || offset + length > firstIndex)
        {
            throw Corrupt(source, $"index entry {entry} points to an impossible record (offset {offset}, length {length})");
        }

        var bytes = data.Slice(offset, length);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes[CityIdLength..]);
        }
        catch (DecoderFallbackException e)
        {
            throw Corrupt(source, $"the record at offset {offset} is not UTF-8 text", e);
        }

        var fields = text.Split('|');
        if (fields.Length != FieldCount)
        {
            throw Corrupt(source, $"the record at offset {offset} has {fields.Length} fields instead of {FieldCount}: '{text}'");
        }

        return new Ip2RegionRecord(
            BinaryPrimitives.ReadInt32LittleEndian(bytes),
            Field(fields[0]), Field(fields[1]), Field(fields[2]), Field(fields[3]), Field(fields[4]));

        static string Field(string value) => value == "0" ? string.Empty : value;
    }

    private static InvalidDataException Corrupt(string source, string reason, Exception? inner = null) =>
        new($"The ip2region database '{source}' is corrupt or not in the ip2region v1 format: {reason}.", inner);
}
