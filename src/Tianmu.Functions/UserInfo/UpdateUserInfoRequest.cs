using System.Text.Json.Serialization;

namespace Tianmu.Functions.UserInfo;

/// <summary>The body of <c>POST /api/updateUserInfo</c>: WeChat's own names, as the user-info button gives them.</summary>
public sealed record UpdateUserInfoRequest
{
    public string? EncryptedData { get; init; }

    public string? Iv { get; init; }

    public string? Signature { get; init; }

    public string? RawData { get; init; }

    // Records print their members: this one carries sealed user data.
    public override string ToString() => nameof(UpdateUserInfoRequest);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    AllowDuplicateProperties = false,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 32)]
[JsonSerializable(typeof(UpdateUserInfoRequest))]
public sealed partial class UpdateUserInfoJson : JsonSerializerContext;
