using System.Text.Json.Serialization;

namespace Tianmu.Functions.Play;

/// <summary>The body of <c>POST /api/play/heartbeat</c>: <c>{}</c> or <c>{"final": true}</c>.</summary>
public sealed record HeartbeatRequest
{
    /// <summary>True on the beat sent when the game goes to the background: it credits, then ends the session. A JSON boolean.</summary>
    public bool? Final { get; init; }
}

/// <summary>The body of <c>POST /api/play/share</c>, as sent; <see cref="PlayService"/> validates it.</summary>
public sealed record ShareRequest
{
    /// <summary>The client's id of one share: 8–64 characters of <c>[A-Za-z0-9_-]</c>.</summary>
    public string? ShareId { get; init; }

    /// <summary>Where in the game the share started (optional, up to 64 characters).</summary>
    public string? Scene { get; init; }
}

/// <summary>The answer of a heartbeat: the profile's play counters after it and what this beat credited.</summary>
/// <param name="OnlineDuration">Credited play time in seconds.</param>
/// <param name="OnlineDays">Distinct UTC+8 days the user was active.</param>
/// <param name="CreditedSeconds">Seconds this beat added to <paramref name="OnlineDuration"/> (0 when it credited nothing).</param>
public sealed record HeartbeatResponse(long OnlineDuration, long OnlineDays, long CreditedSeconds);

/// <summary>The answer of a share report; a repeated <c>share_id</c> answers what its first report answered.</summary>
/// <param name="ShareTimes">The user's counted shares.</param>
/// <param name="Counted">Whether this share was counted (false once the day's cap was reached).</param>
public sealed record ShareResponse(long ShareTimes, bool Counted);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    AllowDuplicateProperties = false,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 32)]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(ShareRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(ShareResponse))]
public sealed partial class PlayJson : JsonSerializerContext;
