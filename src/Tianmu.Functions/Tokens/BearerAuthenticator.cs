using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Tianmu.Functions.Http;
using Tianmu.Functions.Limits;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Tokens;

/// <summary>An authenticated player: the profile the token speaks for, and the token's own claims.</summary>
public sealed record BearerCaller(ProfileEntity Profile, TokenSubject Token);

/// <summary>
/// The one authentication of player routes (docs/API.md, "Tokens" and the <c>invalid_token</c> row): the user an
/// <c>Authorization: Bearer</c> token speaks for, whose profile must exist and carry the token's security stamp (a
/// profile deleted and created again has a new stamp, so the tokens of the old one fail). Every Bearer route asks this
/// class for its caller; none reads the header itself. The user's rate limit (docs/API.md, "Abuse limits") is counted
/// here, once the token is valid and before the profile is read, so every Bearer route has it and a flood costs no storage.
/// </summary>
public sealed class BearerAuthenticator(TokenService tokens, ProfileRepository profiles, AbuseLimits limits)
{
    /// <summary>The caller's profile, read within the request's budget.</summary>
    /// <exception cref="ApiException">401 <c>invalid_token</c> for a missing or invalid token, a user without a profile or a
    /// profile whose stamp differs; 429 <c>rate_limited</c> over the user's limit; 503 <c>upstream_unavailable</c> when
    /// storage fails or the budget runs out.</exception>
    public async Task<ProfileEntity> AuthenticateAsync(HttpRequest request, RequestBudget budget) =>
        (await AuthenticateCallerAsync(request, budget).ConfigureAwait(false)).Profile;

    /// <summary>The caller's profile and token claims (for routes that need <c>auth_time</c> or <c>exp</c>).</summary>
    /// <exception cref="ApiException">As <see cref="AuthenticateAsync"/>.</exception>
    public async Task<BearerCaller> AuthenticateCallerAsync(HttpRequest request, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(budget);
        var subject = await tokens.ValidateAsync(TokenService.FromAuthorizationHeader(request.Headers.Authorization)).ConfigureAwait(false)
            ?? throw InvalidToken();
        limits.AcquireUserRequest(subject.AppId, subject.OpenId);
        var profile = await budget.RunAsync(token => profiles.FindAsync(subject.AppId, subject.OpenId, token)).ConfigureAwait(false)
            ?? throw InvalidToken();
        return StampMatches(profile, subject) ? new BearerCaller(profile, subject) : throw InvalidToken();
    }

    /// <summary>
    /// True when the profile carries the stamp the token was issued against. A profile created before stamps existed has
    /// none (read as <c>""</c>), and no token carries an empty stamp: it accepts no token until its next login draws one.
    /// </summary>
    public static bool StampMatches(ProfileEntity profile, TokenSubject subject)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(subject);
        var stored = profile.SecurityStamp ?? string.Empty;
        return stored.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stored), Encoding.UTF8.GetBytes(subject.Stamp));
    }

    /// <summary>The answer to a request whose token does not (or no longer does) speak for a user.</summary>
    public static ApiException InvalidToken() =>
        new(ApiErrorCode.InvalidToken, "A valid bearer token from login is required.");
}

/// <summary>A player route's authenticated caller: the profile read for this request and the token's claims.</summary>
public sealed record AuthenticatedCaller(ProfileEntity Profile, TokenSubject Subject);
