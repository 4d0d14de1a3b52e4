using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tianmu.Functions.Login;

/// <summary>The body of <c>POST /api/login</c>, as sent; <see cref="LoginService"/> validates it.</summary>
public sealed record LoginRequest
{
    public string? AppId { get; init; }

    public string? Code { get; init; }

    /// <summary>The launch scene as its decimal string (an integer or a digit string on the wire).</summary>
    [JsonConverter(typeof(SceneConverter))]
    public string? Scene { get; init; }

    public string? FromCode { get; init; }

    /// <summary>
    /// An alias of <see cref="FromCode"/>: Tianmu's channel links carry <c>channelCode=&lt;code&gt;</c> (docs/API.md,
    /// "POST /api/login"). When both are given, <c>from_code</c> wins.
    /// </summary>
    [JsonPropertyName("channelCode")]
    public string? ChannelCode { get; init; }

    /// <summary>An attribution field that never blocks a login: a value that is not a string reads as absent.</summary>
    [JsonConverter(typeof(IgnoreUnlessStringConverter))]
    public string? Inviter { get; init; }

    public string? Ofp { get; init; }
}

/// <summary>Reads <c>scene</c>: an integer 0–99999 or a string of up to 5 digits, normalized to its decimal string.</summary>
public sealed class SceneConverter : JsonConverter<string?>
{
    public const int MaxScene = 99_999;

    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt32(out var number) && number is >= 0 and <= MaxScene:
                return number.ToString(CultureInfo.InvariantCulture);
            case JsonTokenType.String:
                var text = reader.GetString()!;
                if (text.Length == 0)
                {
                    return string.Empty;
                }

                if (text.Length <= 5 && text.All(char.IsAsciiDigit))
                {
                    return int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                }

                throw new JsonException("scene must be up to 5 digits.");
            default:
                throw new JsonException("scene must be an integer 0-99999 or a string of up to 5 digits.");
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}

/// <summary>Reads a string; any other JSON value is skipped and reads as absent.</summary>
public sealed class IgnoreUnlessStringConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    AllowDuplicateProperties = false,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 32)]
[JsonSerializable(typeof(LoginRequest))]
public sealed partial class LoginJson : JsonSerializerContext;
