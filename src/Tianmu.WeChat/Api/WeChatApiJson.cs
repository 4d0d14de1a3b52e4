using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tianmu.WeChat.Api;

/// <summary>The answer of <c>cgi-bin/stable_token</c>, success or error.</summary>
internal sealed class StableTokenAnswer
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; set; }

    [JsonPropertyName("errcode")]
    public int? ErrCode { get; set; }
}

/// <summary>The answer of <c>wxa/msg_sec_check</c> (version 2); <c>detail</c> and <c>errmsg</c> are not read.</summary>
internal sealed class TextCheckAnswer : ContentSecurity.IWeChatAnswer
{
    [JsonPropertyName("errcode")]
    public int? ErrCode { get; set; }

    [JsonPropertyName("trace_id")]
    public string? TraceId { get; set; }

    [JsonPropertyName("result")]
    public TextCheckVerdict? Result { get; set; }
}

internal sealed class TextCheckVerdict
{
    [JsonPropertyName("suggest")]
    public string? Suggest { get; set; }

    [JsonPropertyName("label")]
    public int? Label { get; set; }
}

/// <summary>The answer of <c>wxa/media_check_async</c>.</summary>
internal sealed class MediaCheckAnswer : ContentSecurity.IWeChatAnswer
{
    [JsonPropertyName("errcode")]
    public int? ErrCode { get; set; }

    [JsonPropertyName("trace_id")]
    public string? TraceId { get; set; }
}

[JsonSourceGenerationOptions(AllowDuplicateProperties = false)]
[JsonSerializable(typeof(StableTokenAnswer))]
[JsonSerializable(typeof(TextCheckAnswer))]
[JsonSerializable(typeof(MediaCheckAnswer))]
internal sealed partial class WeChatApiJsonContext : JsonSerializerContext;

/// <summary>Writes small JSON request bodies without reflection.</summary>
internal static class WeChatJsonBody
{
    public static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer, state);
            writer.WriteEndObject();
        }

        var body = buffer.WrittenSpan.ToArray();
        buffer.Clear(); // zeroes what was written: a body may carry the app secret
        return body;
    }
}
