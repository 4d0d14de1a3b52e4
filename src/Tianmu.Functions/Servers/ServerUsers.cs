using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Servers;

/// <summary>What a studio's server may read about its users (docs/API.md, "GET /api/server/apps/{app_id}/users/{open_id}").</summary>
public sealed class ServerUsers(ProfileRepository profiles)
{
    /// <summary>The user's profile as the client sees it, with <c>jwt</c> <c>""</c> and <c>is_new</c> false.</summary>
    /// <exception cref="ApiException">400 <c>invalid_request</c> for an open id out of pattern; 404 <c>unknown_user</c>;
    /// 503 <c>upstream_unavailable</c>.</exception>
    public async Task<ProfileResponse> FindAsync(string appId, string? openId, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        if (!ProfileKeys.IsLegalId(openId) || openId.EndsWith('\n'))
        {
            throw ApiException.InvalidRequest("open_id must be 1-64 letters, digits, _ or -.");
        }

        var profile = await budget.RunAsync(token => profiles.FindAsync(appId, openId, token)).ConfigureAwait(false)
            ?? throw new ApiException(ApiErrorCode.UnknownUser, "This open_id has no profile in this app.");
        return ProfileResponse.From(profile, isNew: false, jwt: string.Empty);
    }
}
