using System.Text.Json.Serialization;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.MiniProgramProfile;

/// <summary>
/// The body of <c>POST /api/profile</c> as sent (docs/API.md, "POST /api/profile"): both members optional, <c>null</c>
/// counts as absent. <see cref="Validate"/> turns it into a <see cref="ProfileChange"/>.
/// </summary>
public sealed record UpdateProfileRequest
{
    /// <summary>The nickname typed in the nickname input (<c>type="nickname"</c>), 1–32 characters.</summary>
    public string? NickName { get; init; }

    /// <summary>0 unknown, 1 male, 2 female.</summary>
    public int? Gender { get; init; }

    /// <summary>The longest nickname, in Unicode characters (code points: an emoji counts as one).</summary>
    public const int MaxNickNameLength = 32;

    /// <summary>WeChat's placeholder nickname of anonymous user info: never a user's choice.</summary>
    public const string AnonymousNickName = "微信用户";

    /// <summary>The request's rules, checked once.</summary>
    /// <exception cref="ApiException">400 <c>invalid_request</c>: a nickname empty, over 32 characters or
    /// <c>微信用户</c>; a gender other than 0, 1 or 2.</exception>
    public ProfileChange Validate()
    {
        if (NickName is { } nickName)
        {
            if (nickName.Length == 0)
            {
                throw ApiException.InvalidRequest("nick_name must not be empty.");
            }

            if (nickName.EnumerateRunes().Count() > MaxNickNameLength)
            {
                throw ApiException.InvalidRequest($"nick_name may have at most {MaxNickNameLength} characters.");
            }

            if (nickName == AnonymousNickName)
            {
                throw ApiException.InvalidRequest("nick_name 微信用户 is WeChat's anonymous placeholder, not a nickname.");
            }
        }

        if (Gender is { } gender && gender is not (0 or 1 or 2))
        {
            throw ApiException.InvalidRequest("gender must be 0, 1 or 2.");
        }

        return new ProfileChange(NickName, Gender);
    }
}

/// <summary>A validated <c>POST /api/profile</c>: what to change; null leaves a field as it is.</summary>
/// <param name="NickName">The new nickname (1–32 characters, not the placeholder), still to be checked with WeChat.</param>
/// <param name="Gender">The new gender, 0, 1 or 2 (0 is stored: this is the user's own choice).</param>
public sealed record ProfileChange(string? NickName, int? Gender);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    AllowDuplicateProperties = false,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 32)]
[JsonSerializable(typeof(UpdateProfileRequest))]
public sealed partial class UpdateProfileJson : JsonSerializerContext;
