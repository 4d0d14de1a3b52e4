using System.Text.Json;

namespace Tianmu.Functions.MiniProgramProfile;

/// <summary>
/// The <c>wxa_media_check</c> event of WeChat's message push (docs/API.md, "GET and POST /api/wechat/push/{app_id}"),
/// for the push route's dispatcher to call with a verified, decrypted message. Reads the members as WeChat names them
/// (<c>FromUserName</c> the user, <c>trace_id</c>, <c>result.suggest</c>) and applies them with
/// <see cref="AvatarService.ApplyMediaCheckResultAsync"/>.
/// </summary>
public sealed class MediaCheckPushHandler(AvatarService avatars)
{
    /// <summary>The <c>Event</c> value this handler takes.</summary>
    public const string EventName = "wxa_media_check";

    /// <summary>Applies one <c>wxa_media_check</c> message; a message missing a member, or of another shape, changes
    /// nothing (the route still answers <c>success</c>).</summary>
    /// <returns>True when an avatar was removed.</returns>
    /// <exception cref="Http.ApiException">503 <c>upstream_unavailable</c> when storage fails.</exception>
    public Task<bool> HandleAsync(string appId, JsonElement message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        if (message.ValueKind != JsonValueKind.Object
            || StringOf(message, "FromUserName") is not { } openId
            || StringOf(message, "trace_id") is not { } traceId)
        {
            return Task.FromResult(false);
        }

        var suggest = message.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object
            ? StringOf(result, "suggest")
            : null;
        return avatars.ApplyMediaCheckResultAsync(appId, openId, traceId, suggest, cancellationToken);
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
