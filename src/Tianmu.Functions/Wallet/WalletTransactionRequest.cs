using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tianmu.Functions.Wallet;

/// <summary>
/// The body of <c>POST /api/server/apps/{app_id}/wallet/transactions</c> (docs/API.md, "Wallet"), as sent;
/// <see cref="WalletService"/> validates it into a <see cref="Profiles.WalletPosting"/>.
/// </summary>
public sealed record WalletTransactionRequest
{
    public string? OpenId { get; init; }

    public string? Currency { get; init; }

    /// <summary>A JSON integer (no fraction, no exponent, not a string); its range is checked by the service.</summary>
    [JsonConverter(typeof(JsonIntegerConverter))]
    public long? Delta { get; init; }

    public string? Reason { get; init; }

    public string? IdempotencyKey { get; init; }
}

/// <summary>Reads a JSON number written as an integer that fits 64 bits; <c>1.5</c>, <c>1e3</c> and <c>"1"</c> fail.</summary>
public sealed class JsonIntegerConverter : JsonConverter<long?>
{
    public override bool HandleNull => false;

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
            ? value
            : throw new JsonException("Expected an integer.");

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>A wallet transaction as answered (docs/API.md, "Wallet"); <see cref="Replayed"/> only on the POST route.</summary>
public sealed record WalletTransactionResponse
{
    public required string TransactionId { get; init; }
    public required string OpenId { get; init; }
    public required string Currency { get; init; }
    public required long Delta { get; init; }
    public required string Reason { get; init; }
    public required long Balance { get; init; }
    public required long CreatedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Replayed { get; init; }
}

/// <summary>The answer of <c>GET /api/wallet</c>: balances, up to 50 entries newest first, the next page's cursor or null.</summary>
public sealed record WalletResponse(long Gold, long Diamond, IReadOnlyList<WalletTransactionResponse> Transactions, string? Next);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    AllowDuplicateProperties = false,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 32)]
[JsonSerializable(typeof(WalletTransactionRequest))]
[JsonSerializable(typeof(WalletTransactionResponse))]
[JsonSerializable(typeof(WalletResponse))]
public sealed partial class WalletJson : JsonSerializerContext;
