using Microsoft.AspNetCore.Http;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Tokens;

/// <summary>
/// The one authentication of player routes (docs/API.md, "Tokens" and the <c>invalid_token</c> row): the user an
/// <c>Authorization: Bearer</c> token speaks for, whose profile must exist. Every Bearer route asks this class for its
/// caller; none reads the header itself.
/// </summary>
public sealed class BearerAuthenticator(TokenService tokens, ProfileRepository profiles)
{
    /// <summary>The caller's profile, read within the request's budget.</summary>
    /// <exception cref="ApiException">401 <c>invalid_token</c> for a missing or invalid token or a user without a profile;
    /// 503 <c>upstream_unavailable</c> when storage fails or the budget runs out.</exception>
    public async Task<ProfileEntity> AuthenticateAsync(HttpRequest request, RequestBudget budget) =>
        (await AuthenticateCallerAsync(request, budget).ConfigureAwait(false)).Profile;

    /// <summary>
    /// The caller's profile together with what its token says (its <see cref="TokenSubject.AuthTime"/>, for routes that
    /// need a recent login). A token issued before the profile was created (one of an account since deleted, whose user
    /// came back) does not speak for the new profile.
    /// </summary>
    /// <exception cref="ApiException">As <see cref="AuthenticateAsync"/>.</exception>
    public async Task<AuthenticatedCaller> AuthenticateCallerAsync(HttpRequest request, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(budget);
        var subject = await tokens.ValidateAsync(TokenService.FromAuthorizationHeader(request.Headers.Authorization)).ConfigureAwait(false)
            ?? throw InvalidToken();
        var profile = await budget.RunAsync(token => profiles.FindAsync(subject.AppId, subject.OpenId, token)).ConfigureAwait(false)
            ?? throw InvalidToken();
        // iat has whole seconds: compare with the creation time rounded down the same way.
        if (profile.CreatedAt is { } created && subject.IssuedAt.ToUnixTimeSeconds() < created.ToUnixTimeSeconds())
        {
            throw InvalidToken();
        }

        return new AuthenticatedCaller(profile, subject);
    }

    /// <summary>The answer to a request whose token does not (or no longer does) speak for a user.</summary>
    public static ApiException InvalidToken() =>
        new(ApiErrorCode.InvalidToken, "A valid bearer token from login is required.");
}

/// <summary>A player route's authenticated caller: the profile read for this request and the token's claims.</summary>
public sealed record AuthenticatedCaller(ProfileEntity Profile, TokenSubject Subject);
