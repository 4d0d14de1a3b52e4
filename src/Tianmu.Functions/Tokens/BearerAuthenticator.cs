using Microsoft.AspNetCore.Http;
using Tianmu.Functions.Http;
using Tianmu.Functions.Limits;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Tokens;

/// <summary>
/// The one authentication of player routes (docs/API.md, "Tokens" and the <c>invalid_token</c> row): the user an
/// <c>Authorization: Bearer</c> token speaks for, whose profile must exist. Every Bearer route asks this class for its
/// caller; none reads the header itself. The user's rate limit (docs/API.md, "Abuse limits") is counted here, once the
/// token is valid and before the profile is read, so every Bearer route has it and a flood costs no storage.
/// </summary>
public sealed class BearerAuthenticator(TokenService tokens, ProfileRepository profiles, AbuseLimits limits)
{
    /// <summary>The caller's profile, read within the request's budget.</summary>
    /// <exception cref="ApiException">401 <c>invalid_token</c> for a missing or invalid token or a user without a profile;
    /// 429 <c>rate_limited</c> over the user's limit; 503 <c>upstream_unavailable</c> when storage fails or the budget
    /// runs out.</exception>
    public async Task<ProfileEntity> AuthenticateAsync(HttpRequest request, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(budget);
        var subject = await tokens.ValidateAsync(TokenService.FromAuthorizationHeader(request.Headers.Authorization)).ConfigureAwait(false)
            ?? throw InvalidToken();
        limits.AcquireUserRequest(subject.AppId, subject.OpenId);
        return await budget.RunAsync(token => profiles.FindAsync(subject.AppId, subject.OpenId, token)).ConfigureAwait(false)
            ?? throw InvalidToken();
    }

    /// <summary>The answer to a request whose token does not (or no longer does) speak for a user.</summary>
    public static ApiException InvalidToken() =>
        new(ApiErrorCode.InvalidToken, "A valid bearer token from login is required.");
}
