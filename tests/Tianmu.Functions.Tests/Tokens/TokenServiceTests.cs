using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Tokens;

public sealed class TokenServiceTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly ProfileEntity User = new() { AppId = "wxapp1", OpenId = "oUser1", Pid = "0123456789abcdef0123456789abcdef", SecurityStamp = "stamp-1" };
    private readonly FakeTimeProvider _time = new(Start);
    private readonly TokenService _tokens;

    public TokenServiceTests()
    {
        _tokens = Create(TestKeys.CurrentPrivateKeyPem);
    }

    private static SigningKeys Keys(string privateKeyPem, string previous = "") => new(
        Options.Create(new JwtOptions { PrivateKey = privateKeyPem, PreviousPublicKeys = previous }),
        new TestEnvironment(Environments.Production),
        NullLogger<SigningKeys>.Instance);

    private TokenService Create(string privateKeyPem, string issuer = "tianmu", string previous = "", TimeProvider? time = null, VerifiedTokenCache? cache = null) => new(
        Options.Create(new JwtOptions { PrivateKey = privateKeyPem, PreviousPublicKeys = previous, Issuer = issuer }),
        Keys(privateKeyPem, previous),
        new AppRegistry([new("wxapp1", "s1"), new("wxapp2", "s2")]),
        time ?? _time,
        cache);

    [Fact]
    public async Task A_recurring_token_is_verified_once_but_its_lifetime_is_checked_on_every_use()
    {
        var cache = new VerifiedTokenCache();
        var tokens = Create(TestKeys.CurrentPrivateKeyPem, cache: cache);
        var token = tokens.Issue(User, Start).Jwt;

        Assert.NotNull(await tokens.ValidateAsync(token));
        Assert.Equal(1, cache.Count);
        Assert.NotNull(await tokens.ValidateAsync(token));
        Assert.Equal(1, cache.Count);
        _time.SetUtcNow(Start.AddHours(2).AddSeconds(31));

        Assert.Null(await tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task The_cache_knows_only_the_exact_token_it_verified_and_never_a_refused_one()
    {
        var cache = new VerifiedTokenCache();
        var tokens = Create(TestKeys.CurrentPrivateKeyPem, cache: cache);
        var token = tokens.Issue(User, Start).Jwt;
        await tokens.ValidateAsync(token);

        Assert.Null(await tokens.ValidateAsync(token + "A"));
        Assert.Null(await tokens.ValidateAsync(token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1]));
        Assert.Null(await tokens.ValidateAsync(TokenForge.Forge("oUser1", aud: "wxapp1", now: Start, alg: "HS256", stamp: "stamp-1")));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void The_cache_is_bounded()
    {
        var cache = new VerifiedTokenCache();
        var subject = new TokenSubject("wxapp1", "oUser1", 0, "s", 0);

        for (var i = 0; i <= VerifiedTokenCache.Capacity; i++)
        {
            cache.Add("token-" + i, subject, Start.UtcDateTime, Start.UtcDateTime.AddHours(2));
        }

        Assert.InRange(cache.Count, 1, VerifiedTokenCache.Capacity);
    }

    [Fact]
    public async Task Issued_token_validates_to_its_app_user_login_time_and_stamp()
    {
        var issued = _tokens.Issue(User, Start.AddMinutes(-5));

        Assert.Equal(
            new TokenSubject("wxapp1", "oUser1", Start.AddMinutes(-5).ToUnixTimeSeconds(), "stamp-1", Start.AddHours(2).ToUnixTimeSeconds()),
            await _tokens.ValidateAsync(issued.Jwt));
        Assert.Equal(Start.AddHours(2).ToUnixTimeSeconds(), issued.ExpiresAt);
    }

    [Fact]
    public void Issued_token_carries_the_contract_header_and_claims()
    {
        var jwt = new JsonWebToken(_tokens.Issue(User, Start.AddMinutes(-5)).Jwt);

        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal("JWT", jwt.Typ);
        Assert.Equal(SigningKeys.Thumbprint(TestKeys.Current), jwt.Kid);
        Assert.Equal("tianmu", jwt.Issuer);
        Assert.Equal(["wxapp1"], jwt.Audiences);
        Assert.Equal("oUser1", jwt.Subject);
        Assert.Equal(Start.UtcDateTime, jwt.IssuedAt);
        Assert.Equal(Start.UtcDateTime, jwt.ValidFrom);
        Assert.Equal(Start.UtcDateTime.AddHours(2), jwt.ValidTo);
        Assert.Equal(Start.AddMinutes(-5).ToUnixTimeSeconds(), jwt.GetPayloadValue<long>("auth_time"));
        Assert.Equal(User.Pid, jwt.GetPayloadValue<string>("pid"));
        Assert.Equal("stamp-1", jwt.GetPayloadValue<string>("stamp"));
        Assert.Equal(
            ["aud", "auth_time", "exp", "iat", "iss", "nbf", "pid", "stamp", "sub"],
            TokenForge.Claims(jwt.EncodedToken).EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_kid_is_the_RFC_7638_thumbprint_of_the_public_key()
    {
        var q = TestKeys.Current.ExportParameters(false).Q;
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64UrlEncoder.Encode(q.X)}\",\"y\":\"{Base64UrlEncoder.Encode(q.Y)}\"}}";

        Assert.Equal(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), SigningKeys.Thumbprint(TestKeys.Current));
    }

    [Fact]
    public async Task Token_is_valid_until_expiry_plus_30_seconds_of_skew()
    {
        var token = _tokens.Issue(User, Start).Jwt;

        _time.SetUtcNow(Start.AddHours(2).AddSeconds(29));
        Assert.NotNull(await _tokens.ValidateAsync(token));
        _time.SetUtcNow(Start.AddHours(2).AddSeconds(31));
        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task Token_from_the_future_is_refused_beyond_the_skew()
    {
        var within = Create(TestKeys.CurrentPrivateKeyPem, time: new FakeTimeProvider(Start.AddSeconds(29))).Issue(User, Start).Jwt;
        var beyond = Create(TestKeys.CurrentPrivateKeyPem, time: new FakeTimeProvider(Start.AddSeconds(31))).Issue(User, Start).Jwt;

        Assert.NotNull(await _tokens.ValidateAsync(within));
        Assert.Null(await _tokens.ValidateAsync(beyond));
    }

    [Fact]
    public async Task Token_of_an_app_not_configured_here_is_refused()
    {
        var token = _tokens.Issue(new ProfileEntity { AppId = "wxunknown", OpenId = "oUser1", SecurityStamp = "s" }, Start).Jwt;

        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task Token_of_another_issuer_is_refused()
    {
        Assert.Null(await _tokens.ValidateAsync(Create(TestKeys.CurrentPrivateKeyPem, "someone-else").Issue(User, Start).Jwt));
    }

    [Fact]
    public async Task Token_signed_with_a_key_not_configured_is_refused()
    {
        using var other = TestKeys.NewP256();

        Assert.Null(await _tokens.ValidateAsync(Create(other.ExportPkcs8PrivateKeyPem()).Issue(User, Start).Jwt));
    }

    [Fact]
    public async Task Token_of_a_previous_key_is_accepted_while_it_is_configured()
    {
        using var next = TestKeys.NewP256();
        var old = _tokens.Issue(User, Start).Jwt;
        var rotated = Create(next.ExportPkcs8PrivateKeyPem(), previous: TestKeys.PublicPem(TestKeys.Current));
        var retired = Create(next.ExportPkcs8PrivateKeyPem());

        Assert.NotNull(await rotated.ValidateAsync(old));
        Assert.Null(await retired.ValidateAsync(old));
        Assert.Equal(SigningKeys.Thumbprint(next), new JsonWebToken(rotated.Issue(User, Start).Jwt).Kid);
    }

    [Fact]
    public async Task The_forge_makes_tokens_the_service_accepts()
    {
        // The control for the refusals below: only the one defect differs.
        Assert.NotNull(await _tokens.ValidateAsync(TokenForge.Forge("oUser1", aud: "wxapp1", now: Start, stamp: "stamp-1")));
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("HS384")]
    [InlineData("HS512")]
    [InlineData("none")]
    [InlineData("ES384")]
    [InlineData("RS256")]
    public async Task Only_ES256_is_accepted(string alg)
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var kid = SigningKeys.Thumbprint(TestKeys.Current);
        var token = TokenForge.Forge("oUser1", aud: "wxapp1", now: Start, alg: alg, kid: kid, key: alg == "ES384" ? p384 : null, stamp: "stamp-1");

        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task HS256_keyed_with_the_public_key_is_refused()
    {
        var token = TokenForge.Forge("oUser1", aud: "wxapp1", now: Start, alg: "HS256", kid: SigningKeys.Thumbprint(TestKeys.Current), hmacKey: TestKeys.PublicPem(TestKeys.Current), stamp: "stamp-1");

        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task A_kid_of_no_configured_key_or_no_kid_is_refused_even_with_a_good_signature()
    {
        Assert.Null(await _tokens.ValidateAsync(TokenForge.Forge("oUser1", aud: "wxapp1", now: Start, kid: "unknown", stamp: "stamp-1")));
        Assert.Null(await _tokens.ValidateAsync(TokenForge.Forge("oUser1", aud: "wxapp1", now: Start, kid: TokenForge.Omit, stamp: "stamp-1")));
    }

    [Fact]
    public async Task A_P384_signature_under_the_current_kid_is_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Null(await _tokens.ValidateAsync(TokenForge.Forge("oUser1", aud: "wxapp1", now: Start, key: p384, kid: SigningKeys.Thumbprint(TestKeys.Current), stamp: "stamp-1")));
    }

    [Theory]
    [InlineData("wxapp1x")]
    [InlineData("wxapp1/")]
    [InlineData("wxapp1 ")]
    [InlineData("WXAPP1")]
    [InlineData("wxapp")]
    public async Task The_audience_must_equal_a_configured_app_exactly(string audience)
    {
        Assert.Null(await _tokens.ValidateAsync(TokenForge.Forge("oUser1", aud: audience, now: Start, stamp: "stamp-1")));
    }

    [Fact]
    public async Task A_token_without_auth_time_or_stamp_is_refused()
    {
        Assert.Null(await _tokens.ValidateAsync(TokenForge.Forge("oUser1", aud: "wxapp1", now: Start, stamp: TokenForge.Omit)));
        Assert.Null(await _tokens.ValidateAsync(TokenForge.Forge("oUser1", aud: "wxapp1", now: Start, stamp: string.Empty)));
    }

    [Fact]
    public async Task A_token_of_another_type_is_refused()
    {
        Assert.Null(await _tokens.ValidateAsync(TokenForge.Forge("oUser1", aud: "wxapp1", now: Start, stamp: "stamp-1", typ: "at+jwt")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("a.b.c")]
    public async Task Malformed_tokens_are_refused(string token)
    {
        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task Truncated_and_tampered_tokens_are_refused()
    {
        var token = _tokens.Issue(User, Start).Jwt;
        var parts = token.Split('.');
        var tamperedPayload = Base64UrlEncoder.Encode(Base64UrlEncoder.DecodeBytes(parts[1]).Select(b => b == (byte)'1' ? (byte)'2' : b).ToArray());

        Assert.Null(await _tokens.ValidateAsync(token[..^5]));
        Assert.Null(await _tokens.ValidateAsync(parts[0] + "." + parts[1]));
        Assert.Null(await _tokens.ValidateAsync(parts[0] + "." + tamperedPayload + "." + parts[2]));
    }

    [Fact]
    public async Task Token_whose_subject_is_not_a_legal_open_id_is_refused()
    {
        var token = _tokens.Issue(new ProfileEntity { AppId = "wxapp1", OpenId = "bad/subject#1", SecurityStamp = "s" }, Start).Jwt;

        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Theory]
    [InlineData("stamp-1", "stamp-1", true)]
    [InlineData("stamp-1", "stamp-2", false)]
    [InlineData("stamp-1", "stamp-1x", false)]
    [InlineData("", "", false)]
    [InlineData(null, "", false)]
    public void A_token_speaks_only_for_a_profile_with_its_stamp(string? stored, string inToken, bool matches)
    {
        var profile = new ProfileEntity { SecurityStamp = stored! };

        Assert.Equal(matches, BearerAuthenticator.StampMatches(profile, new TokenSubject("wxapp1", "oUser1", 0, inToken, 0)));
    }

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer  abc ", "abc")]
    [InlineData("Basic abc", null)]
    [InlineData("Bearer", null)]
    [InlineData("Bearer   ", null)]
    [InlineData(null, null)]
    public void Bearer_token_is_read_from_the_authorization_header(string? header, string? expected)
    {
        Assert.Equal(expected, TokenService.FromAuthorizationHeader(header));
    }
}
