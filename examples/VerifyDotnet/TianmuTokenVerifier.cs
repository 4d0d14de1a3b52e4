using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VerifyDotnet;

/// <summary>
/// Verifies the tokens of one app offline against the Tianmu JWKS (<c>GET /api/.well-known/jwks.json</c>): ES256 only,
/// issuer, audience = your app id, lifetime with 30 s of skew. The JWKS is fetched once and again when a token names a
/// key it does not know (after a key rotation), at most once a minute.
/// </summary>
public sealed class TianmuTokenVerifier(HttpClient http, Uri baseUrl, string appId, string issuer = "tianmu") : IDisposable
{
    private static readonly TimeSpan MinRefetchInterval = TimeSpan.FromMinutes(1);
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SemaphoreSlim _fetch = new(1, 1);
    private IList<SecurityKey> _keys = [];
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    /// <summary>The open id (<c>sub</c>) of a valid token, or null when it is not valid for this app.</summary>
    public async Task<string?> VerifyAsync(string token, CancellationToken cancellationToken = default)
    {
        var result = await ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException && await RefetchAsync(cancellationToken).ConfigureAwait(false))
        {
            result = await ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        }

        return result.IsValid && result.SecurityToken is JsonWebToken jwt ? jwt.Subject : null;
    }

    public void Dispose() => _fetch.Dispose();

    private async Task<TokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (_keys.Count == 0)
        {
            await RefetchAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            IssuerSigningKeys = _keys,
            ValidIssuer = issuer,
            ValidAudience = appId,
            IgnoreTrailingSlashWhenValidatingAudience = false,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
        }).ConfigureAwait(false);
    }

    private async Task<bool> RefetchAsync(CancellationToken cancellationToken)
    {
        await _fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (DateTimeOffset.UtcNow - _fetchedAt < MinRefetchInterval && _keys.Count > 0)
            {
                return false;
            }

            var json = await http.GetStringAsync(new Uri(baseUrl, "/api/.well-known/jwks.json"), cancellationToken).ConfigureAwait(false);
            _keys = new JsonWebKeySet(json).GetSigningKeys();
            _fetchedAt = DateTimeOffset.UtcNow;
            return true;
        }
        finally
        {
            _fetch.Release();
        }
    }
}
