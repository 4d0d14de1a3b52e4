using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Tianmu.Functions.Profiles;

/// <summary>The profile as the client sees it (docs/API.md, "The profile"). Never carries the session key.</summary>
public sealed record ProfileResponse
{
    public required string Pid { get; init; }
    public required string AppId { get; init; }
    public required string OpenId { get; init; }
    public required string UnionId { get; init; }
    public required string NickName { get; init; }
    public required string AvatarUrl { get; init; }
    public required int Gender { get; init; }
    public required string City { get; init; }
    public required string Province { get; init; }
    public required string Country { get; init; }
    public required string Language { get; init; }
    public required long Gold { get; init; }
    public required long Diamond { get; init; }
    public required long ShareNew { get; init; }
    public required long ShareTimes { get; init; }
    public required long OnlineDays { get; init; }
    public required long OnlineDuration { get; init; }
    public required long LastLoginTime { get; init; }
    public required long LoginTimes { get; init; }
    public required string FromScene { get; init; }
    public required string FromCode { get; init; }
    public required bool IsNew { get; init; }
    public required string Ofp { get; init; }
    public required string Jwt { get; init; }
    public required string LoginProvince { get; init; }
    public required string LoginCity { get; init; }
    public required string LoginDistrict { get; init; }

    public static ProfileResponse From(ProfileEntity entity, bool isNew, string jwt)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new ProfileResponse
        {
            Pid = entity.Pid,
            AppId = entity.AppId,
            OpenId = entity.OpenId,
            UnionId = entity.UnionId,
            NickName = entity.NickName,
            AvatarUrl = entity.AvatarUrl,
            Gender = entity.Gender,
            City = entity.City,
            Province = entity.Province,
            Country = entity.Country,
            Language = entity.Language,
            Gold = entity.Gold,
            Diamond = entity.Diamond,
            ShareNew = entity.ShareNew,
            ShareTimes = entity.ShareTimes,
            OnlineDays = entity.OnlineDays,
            OnlineDuration = entity.OnlineDuration,
            LastLoginTime = entity.LastLoginTime,
            LoginTimes = entity.LoginTimes,
            FromScene = entity.FromScene,
            FromCode = entity.FromCode,
            IsNew = isNew,
            Ofp = entity.Ofp,
            Jwt = jwt,
            LoginProvince = entity.LoginProvince,
            LoginCity = entity.LoginCity,
            LoginDistrict = entity.LoginDistrict,
        };
    }
}

[JsonSerializable(typeof(ProfileResponse))]
public sealed partial class ProfileJson : JsonSerializerContext
{
    /// <summary>snake_case as the contract says; Chinese names left readable (HTML-sensitive characters stay escaped).</summary>
    public static ProfileJson Web { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    });
}
