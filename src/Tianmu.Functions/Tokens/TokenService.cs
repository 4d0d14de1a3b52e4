using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Tokens;

/// <summary>
/// Who a valid token speaks for: app (<c>aud</c>), open id (<c>sub</c>), the Unix time in seconds of the login that
/// started its chain (<c>auth_time</c>), the profile's security stamp it was issued against (<c>stamp</c>), and its
/// <c>exp</c> (Unix seconds).
/// </summary>
public sealed record TokenSubject(string AppId, string OpenId, long AuthTime, string Stamp, long ExpiresAt);

/// <summary>A token as issued: the compact JWT and its <c>exp</c> in Unix seconds.</summary>
public sealed record IssuedToken(string Jwt, long ExpiresAt);

/// <summary>
/// Issues and validates the ES256 tokens of the contract (docs/API.md, "Tokens"). Header <c>alg</c> ES256,
/// <c>typ</c> JWT, <c>kid</c> the signing key's RFC 7638 thumbprint; claims <c>iss</c>, <c>aud</c> = app id,
/// <c>sub</c> = open id, <c>iat</c>, <c>nbf</c>, <c>exp</c>, <c>auth_time</c>, <c>pid</c>, <c>stamp</c>. Validation pins
/// ES256 and a <c>kid</c> of a configured key, requires the issuer, exactly one audience that is a configured app
/// (ordinal, no trailing-slash leniency), and a lifetime within 30 s of skew on the injected clock. Whether the profile
/// exists and carries the token's stamp is checked by <see cref="BearerAuthenticator"/>, which loads it anyway.
/// </summary>
public sealed class TokenService
{
    /// <summary>The clock skew allowed on <c>nbf</c> and <c>exp</c>.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>Longest token read; anything longer is refused unread.</summary>
    public const int MaxTokenLength = 4096;

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;
    private readonly TokenValidationParameters _validation;
    private readonly JwtOptions _options;
    private readonly SigningKeys _keys;
    private readonly AppRegistry _apps;
    private readonly TimeProvider _time;
    private readonly VerifiedTokenCache? _cache;

    /// <summary>A token service; with a <paramref name="cache"/>, a token verified once is not verified again while it lives.</summary>
    public TokenService(IOptions<JwtOptions> options, SigningKeys keys, AppRegistry apps, TimeProvider time, VerifiedTokenCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(apps);
        _options = options.Value;
        _keys = keys;
        _apps = apps;
        _time = time;
        _cache = cache;
        _credentials = new SigningCredentials(keys.Current, SecurityAlgorithms.EcdsaSha256);
        _validation = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudiences = [.. apps.AppIds],
            IgnoreTrailingSlashWhenValidatingAudience = false,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidTypes = ["JWT"],
            IssuerSigningKeyResolver = ResolveKey,
            TryAllIssuerSigningKeys = false,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = false,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = ClockSkew,
            LifetimeValidator = ValidateLifetime,
        };
    }

    /// <summary>The lifetime of a new token.</summary>
    public TimeSpan Lifetime => _options.Lifetime;

    /// <summary>
    /// Issues a token for a profile, signed by the current key: <c>auth_time</c> is <paramref name="authTime"/> (the
    /// login that starts or started the chain), <c>iat</c> = <c>nbf</c> = now, <c>exp</c> = now + <c>Tianmu__Jwt__Lifetime</c>.
    /// </summary>
    public IssuedToken Issue(ProfileEntity profile, DateTimeOffset authTime)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var now = _time.GetUtcNow().UtcDateTime;
        var expires = now + _options.Lifetime;
        var jwt = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = profile.AppId,
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, profile.OpenId)]),
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.AuthTime] = authTime.ToUnixTimeSeconds(),
                ["pid"] = profile.Pid,
                ["stamp"] = profile.SecurityStamp,
            },
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            SigningCredentials = _credentials,
        });
        return new IssuedToken(jwt, new DateTimeOffset(expires).ToUnixTimeSeconds());
    }

    /// <summary>Validates a bearer token; null for any defect (the caller answers 401 <c>invalid_token</c>).</summary>
    public async Task<TokenSubject?> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        if (_cache is not null && _cache.TryGet(token, out var cached, out var notBefore, out var expires))
        {
            return ValidateLifetime(notBefore, expires, null!, _validation) ? cached : null;
        }

        var result = await _handler.ValidateTokenAsync(token, _validation).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || jwt.Alg != SecurityAlgorithms.EcdsaSha256)
        {
            return null;
        }

        // Exactly one audience, a configured app; a subject that is a legal open id; the chain's login time and stamp.
        var audiences = jwt.Audiences.ToArray();
        if (audiences.Length != 1 || !_apps.Contains(audiences[0])
            || !jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var subject) || !ProfileKeys.IsLegalId(subject)
            || !jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.AuthTime, out var authTime)
            || !jwt.TryGetPayloadValue<string>("stamp", out var stamp) || string.IsNullOrEmpty(stamp))
        {
            return null;
        }

        var verified = new TokenSubject(audiences[0], subject, authTime, stamp, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero).ToUnixTimeSeconds());
        _cache?.Add(token, verified, jwt.ValidFrom, jwt.ValidTo);
        return verified;
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

    // Only the key the kid names: a token without a kid, or with the kid of no configured key, has no key to verify with.
    private IEnumerable<SecurityKey> ResolveKey(string token, SecurityToken securityToken, string kid, TokenValidationParameters parameters) =>
        _keys.TryGet(kid, out var key) ? [key] : [];

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
