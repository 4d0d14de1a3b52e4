using System.Text.Json;

namespace Tianmu.WeChat.Crypto;

/// <summary>
/// Reads decrypted payloads straight from their UTF-8 bytes with a <see cref="Utf8JsonReader"/>: no intermediate
/// string, no DOM, no DTO. The rules are strict because the payload is what the user's own key sealed: the root must be
/// one JSON object, known members must have their JSON type (<c>null</c> counts as absent), a known member given twice
/// fails, and <c>watermark.appid</c> must equal the expected app id (ordinal). Every failure throws
/// <see cref="WeChatDecryptionException"/> (and <see cref="WeChatDataCrypto"/> turns anything else this reader might
/// throw into it too).
/// </summary>
internal static class WeChatPayloadReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 32 };

    public static WeChatUserInfo ReadUserInfo(ReadOnlySpan<byte> json, string expectedAppId)
    {
        string? openId = null, nickName = null, language = null, city = null, province = null, country = null,
            avatarUrl = null, unionId = null;
        int? gender = null;
        WeChatWatermark? watermark = null;
        var seen = 0;

        var reader = new Utf8JsonReader(json, ReaderOptions);
        ReadRootStart(ref reader);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("openId"u8)) { openId = ReadString(ref reader, ref seen, 1 << 0); }
            else if (reader.ValueTextEquals("nickName"u8)) { nickName = ReadString(ref reader, ref seen, 1 << 1); }
            else if (reader.ValueTextEquals("gender"u8)) { gender = ReadInt32(ref reader, ref seen, 1 << 2); }
            else if (reader.ValueTextEquals("language"u8)) { language = ReadString(ref reader, ref seen, 1 << 3); }
            else if (reader.ValueTextEquals("city"u8)) { city = ReadString(ref reader, ref seen, 1 << 4); }
            else if (reader.ValueTextEquals("province"u8)) { province = ReadString(ref reader, ref seen, 1 << 5); }
            else if (reader.ValueTextEquals("country"u8)) { country = ReadString(ref reader, ref seen, 1 << 6); }
            else if (reader.ValueTextEquals("avatarUrl"u8)) { avatarUrl = ReadString(ref reader, ref seen, 1 << 7); }
            else if (reader.ValueTextEquals("unionId"u8)) { unionId = ReadString(ref reader, ref seen, 1 << 8); }
            else if (reader.ValueTextEquals("watermark"u8)) { watermark = ReadWatermark(ref reader, expectedAppId, ref seen, 1 << 9); }
            else { SkipValue(ref reader); }
        }

        ReadRootEnd(ref reader);
        return new WeChatUserInfo(
            openId ?? "",
            nickName ?? throw new WeChatDecryptionException(),
            gender ?? 0,
            language ?? "",
            city ?? "",
            province ?? "",
            country ?? "",
            avatarUrl ?? "",
            unionId ?? "",
            CheckWatermark(watermark, expectedAppId));
    }

    public static WeChatPhoneNumber ReadPhoneNumber(ReadOnlySpan<byte> json, string expectedAppId)
    {
        string? phoneNumber = null, purePhoneNumber = null, countryCode = null;
        WeChatWatermark? watermark = null;
        var seen = 0;

        var reader = new Utf8JsonReader(json, ReaderOptions);
        ReadRootStart(ref reader);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("phoneNumber"u8)) { phoneNumber = ReadString(ref reader, ref seen, 1 << 0); }
            else if (reader.ValueTextEquals("purePhoneNumber"u8)) { purePhoneNumber = ReadString(ref reader, ref seen, 1 << 1); }
            else if (reader.ValueTextEquals("countryCode"u8)) { countryCode = ReadString(ref reader, ref seen, 1 << 2); }
            else if (reader.ValueTextEquals("watermark"u8)) { watermark = ReadWatermark(ref reader, expectedAppId, ref seen, 1 << 3); }
            else { SkipValue(ref reader); }
        }

        ReadRootEnd(ref reader);
        return new WeChatPhoneNumber(
            phoneNumber ?? throw new WeChatDecryptionException(),
            purePhoneNumber ?? "",
            countryCode ?? "",
            CheckWatermark(watermark, expectedAppId));
    }

    public static WeChatShareInfo ReadShareInfo(ReadOnlySpan<byte> json, string expectedAppId)
    {
        string? openGId = null;
        WeChatWatermark? watermark = null;
        var seen = 0;

        var reader = new Utf8JsonReader(json, ReaderOptions);
        ReadRootStart(ref reader);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("openGId"u8)) { openGId = ReadString(ref reader, ref seen, 1 << 0); }
            else if (reader.ValueTextEquals("watermark"u8)) { watermark = ReadWatermark(ref reader, expectedAppId, ref seen, 1 << 1); }
            else { SkipValue(ref reader); }
        }

        ReadRootEnd(ref reader);
        return new WeChatShareInfo(openGId ?? throw new WeChatDecryptionException(), CheckWatermark(watermark, expectedAppId));
    }

    /// <summary>Validates the whole document and its watermark; the caller keeps the bytes.</summary>
    public static void ReadAnyPayload(ReadOnlySpan<byte> json, string expectedAppId)
    {
        WeChatWatermark? watermark = null;
        var seen = 0;

        var reader = new Utf8JsonReader(json, ReaderOptions);
        ReadRootStart(ref reader);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("watermark"u8)) { watermark = ReadWatermark(ref reader, expectedAppId, ref seen, 1 << 0); }
            else { SkipValue(ref reader); }
        }

        ReadRootEnd(ref reader);
        CheckWatermark(watermark, expectedAppId);
    }

    private static WeChatWatermark CheckWatermark(WeChatWatermark? watermark, string expectedAppId) =>
        watermark is not null && string.Equals(watermark.AppId, expectedAppId, StringComparison.Ordinal)
            ? watermark
            : throw new WeChatDecryptionException();

    /// <summary>Reads the watermark; null unless its <c>appid</c> is <paramref name="expectedAppId"/>.</summary>
    /// <remarks>The app id is compared in place, not read into a string: a matching watermark carries the caller's
    /// own <paramref name="expectedAppId"/> instance (ordinally equal), so the check allocates nothing.</remarks>
    private static WeChatWatermark? ReadWatermark(ref Utf8JsonReader reader, string expectedAppId, ref int seen, int bit)
    {
        MarkSeen(ref seen, bit);
        Read(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WeChatDecryptionException();
        }

        var appIdMatches = false;
        long? timestamp = null;
        var watermarkSeen = 0;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("appid"u8)) { appIdMatches = ReadStringEquals(ref reader, expectedAppId, ref watermarkSeen, 1 << 0); }
            else if (reader.ValueTextEquals("timestamp"u8)) { timestamp = ReadInt64(ref reader, ref watermarkSeen, 1 << 1); }
            else { SkipValue(ref reader); }
        }

        return appIdMatches ? new WeChatWatermark(expectedAppId, timestamp ?? 0) : null;
    }

    /// <summary>Reads a string member and compares it ordinally with <paramref name="expected"/>; false for null.</summary>
    private static bool ReadStringEquals(ref Utf8JsonReader reader, string expected, ref int seen, int bit)
    {
        MarkSeen(ref seen, bit);
        Read(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.String => ValueTextEquals(ref reader, expected),
            JsonTokenType.Null => false,
            _ => throw new WeChatDecryptionException(),
        };
    }

    private static bool ValueTextEquals(ref Utf8JsonReader reader, string expected)
    {
        try
        {
            return reader.ValueTextEquals(expected);
        }
        catch (InvalidOperationException)
        {
            // Unescaping an escaped lone surrogate (\ud800) throws, as in GetString.
            throw new WeChatDecryptionException();
        }
    }

    private static void ReadRootStart(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WeChatDecryptionException();
        }
    }

    /// <summary>After the root object's end: only whitespace may follow (the reader throws on anything else).</summary>
    private static void ReadRootEnd(ref Utf8JsonReader reader)
    {
        bool more;
        try
        {
            more = reader.Read();
        }
        catch (JsonException)
        {
            throw new WeChatDecryptionException();
        }

        if (more)
        {
            throw new WeChatDecryptionException();
        }
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.PropertyName => true,
            JsonTokenType.EndObject => false,
            _ => throw new WeChatDecryptionException(),
        };
    }

    private static string? ReadString(ref Utf8JsonReader reader, ref int seen, int bit)
    {
        MarkSeen(ref seen, bit);
        Read(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.String => GetString(ref reader),
            JsonTokenType.Null => null,
            _ => throw new WeChatDecryptionException(),
        };
    }

    private static int? ReadInt32(ref Utf8JsonReader reader, ref int seen, int bit)
    {
        MarkSeen(ref seen, bit);
        Read(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var value) => value,
            JsonTokenType.Null => null,
            _ => throw new WeChatDecryptionException(),
        };
    }

    private static long? ReadInt64(ref Utf8JsonReader reader, ref int seen, int bit)
    {
        MarkSeen(ref seen, bit);
        Read(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt64(out var value) => value,
            JsonTokenType.Null => null,
            _ => throw new WeChatDecryptionException(),
        };
    }

    private static void MarkSeen(ref int seen, int bit)
    {
        if ((seen & bit) != 0)
        {
            throw new WeChatDecryptionException();
        }

        seen |= bit;
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        try
        {
            reader.Skip();
        }
        catch (JsonException)
        {
            throw new WeChatDecryptionException();
        }
    }

    private static void Read(ref Utf8JsonReader reader)
    {
        try
        {
            if (!reader.Read())
            {
                throw new WeChatDecryptionException();
            }
        }
        catch (JsonException)
        {
            throw new WeChatDecryptionException();
        }
    }

    private static string GetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (\ud800) cannot become a .NET string.
            throw new WeChatDecryptionException();
        }
    }
}
