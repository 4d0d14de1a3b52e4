using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Tokens;

/// <summary>Who a valid token speaks for.</summary>
public readonly record struct TokenSubject(string AppId, string OpenId)
{
    /// <summary>When the token was issued (its <c>iat</c>, whole seconds).</summary>
    public DateTimeOffset IssuedAt { get; init; }

    /// <summary>
    /// When the login that started this chain of tokens happened (the <c>auth_time</c> claim, docs/API.md "Tokens"), or
    /// <see cref="IssuedAt"/> for a token without one (a login token: issued by the login itself). Whole seconds.
    /// </summary>
    public DateTimeOffset AuthTime { get; init; }
}

/// <summary>
/// Issues and validates the HS256 tokens of the contract (docs/API.md, "Tokens"): issuer, audience = app id,
/// subject = open id, lifetime from configuration; validation pins HS256 and allows 30 s of clock skew.
/// Whether the user still has a profile is checked by the caller, which loads it anyway.
/// </summary>
public sealed class TokenService
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>The claim of the login time (OpenID Connect Core 1.0, 2: <c>auth_time</c>, Unix seconds).</summary>
    public const string AuthTimeClaim = "auth_time";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;
    private readonly TokenValidationParameters _validation;
    private readonly JwtOptions _options;
    private readonly TimeProvider _time;

    public TokenService(IOptions<JwtOptions> options, AppRegistry apps, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(apps);
        _options = options.Value;
        _time = time;
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_options.SigningKey)) { KeyId = null };
        _credentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        _validation = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudiences = [.. apps.AppIds],
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = ClockSkew,
            LifetimeValidator = ValidateLifetime,
        };
    }

    /// <summary>Issues a token for one user of one app.</summary>
    public string Issue(string appId, string openId)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = appId,
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, openId)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _options.Lifetime,
            SigningCredentials = _credentials,
        });
    }

    /// <summary>Validates a bearer token; null for any defect (the caller answers 401 <c>invalid_token</c>).</summary>
    public async Task<TokenSubject?> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, _validation).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        // Exactly one audience (the app) and a subject that is a legal open id.
        var audiences = jwt.Audiences.ToArray();
        if (audiences.Length != 1 || !jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var subject)
            || !ProfileKeys.IsLegalId(subject))
        {
            return null;
        }

        var issuedAt = jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat) ? DateTimeOffset.FromUnixTimeSeconds(iat) : DateTimeOffset.MinValue;
        var authTime = jwt.TryGetPayloadValue<long>(AuthTimeClaim, out var auth) ? DateTimeOffset.FromUnixTimeSeconds(auth) : issuedAt;
        return new TokenSubject(audiences[0], subject) { IssuedAt = issuedAt, AuthTime = authTime };
    }

    /// <summary>Reads the token of an <c>Authorization: Bearer …</c> header value (RFC 6750, 2.1); null when absent or not Bearer.</summary>
    public static string? FromAuthorizationHeader(string? header)
    {
        const string Scheme = "Bearer ";
        if (header is null || header.Length <= Scheme.Length || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    // Lifetime against the injected clock (so tests can move time), with the contract's skew; exp and nbf are required.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (notBefore is null || expires is null)
        {
            return false;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        return now + ClockSkew >= notBefore.Value.ToUniversalTime() && now - ClockSkew < expires.Value.ToUniversalTime();
    }
}
