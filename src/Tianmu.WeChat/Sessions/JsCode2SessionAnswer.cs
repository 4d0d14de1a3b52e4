using System.Text.Json.Serialization;

namespace Tianmu.WeChat.Sessions;

/// <summary>The JSON body of a jscode2session answer, success or error.</summary>
internal sealed class JsCode2SessionAnswer
{
    [JsonPropertyName("openid")]
    public string? OpenId { get; set; }

    [JsonPropertyName("session_key")]
    public string? SessionKey { get; set; }

    [JsonPropertyName("unionid")]
    public string? UnionId { get; set; }

    [JsonPropertyName("errcode")]
    public int? ErrCode { get; set; }

    [JsonPropertyName("errmsg")]
    public string? ErrMsg { get; set; }
}

[JsonSourceGenerationOptions(AllowDuplicateProperties = false)]
[JsonSerializable(typeof(JsCode2SessionAnswer))]
internal sealed partial class JsCode2SessionJsonContext : JsonSerializerContext;
