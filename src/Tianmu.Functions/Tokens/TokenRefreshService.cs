using Microsoft.Extensions.Options;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Tokens;

/// <summary>The answer of <c>POST /api/token/refresh</c>: the new token and its <c>exp</c> in Unix seconds.</summary>
public sealed record TokenRefreshResponse(string Jwt, long ExpiresAt);

/// <summary>
/// <c>POST /api/token/refresh</c> (docs/API.md): a new token for the same user, app and <c>auth_time</c>, signed by the
/// current key, as long as the login that started the chain is at most <c>Tianmu__Jwt__MaxSessionAge</c> old. The token
/// presented stays valid until it expires.
/// </summary>
public sealed class TokenRefreshService(TokenService tokens, IOptions<JwtOptions> options, TimeProvider time)
{
    /// <summary>Refreshes an authenticated caller's token.</summary>
    /// <exception cref="ApiException">401 <c>invalid_token</c> when now − <c>auth_time</c> exceeds the maximum session age.</exception>
    public TokenRefreshResponse Refresh(BearerCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var authTime = DateTimeOffset.FromUnixTimeSeconds(caller.Token.AuthTime);
        if (time.GetUtcNow() - authTime > options.Value.MaxSessionAge)
        {
            throw new ApiException(ApiErrorCode.InvalidToken, "The session is older than its maximum age: log in again.");
        }

        var issued = tokens.Issue(caller.Profile, authTime);
        return new TokenRefreshResponse(issued.Jwt, issued.ExpiresAt);
    }
}
