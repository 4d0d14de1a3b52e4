using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.Tests.Tokens;

public sealed class TokenServiceTests
{
    private const string Key = "unit-test-signing-key-0123456789abcdef";
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly TokenService _tokens;

    public TokenServiceTests()
    {
        _tokens = Create(Key, "tianmu");
    }

    private TokenService Create(string key, string issuer, TimeSpan? lifetime = null, TimeProvider? time = null) => new(
        Options.Create(new JwtOptions { SigningKey = key, Issuer = issuer, Lifetime = lifetime ?? TimeSpan.FromHours(2) }),
        new AppRegistry([new("wxapp1", "s1"), new("wxapp2", "s2")]),
        time ?? _time);

    [Fact]
    public async Task Issued_token_validates_to_its_app_and_user()
    {
        var token = _tokens.Issue("wxapp1", "oUser1");

        var subject = await _tokens.ValidateAsync(token);
        Assert.Equal(("wxapp1", "oUser1"), (subject?.AppId, subject?.OpenId));
    }

    [Fact]
    public void Issued_token_carries_the_contract_claims()
    {
        var jwt = new JsonWebToken(_tokens.Issue("wxapp1", "oUser1"));

        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal("tianmu", jwt.Issuer);
        Assert.Equal(["wxapp1"], jwt.Audiences);
        Assert.Equal("oUser1", jwt.Subject);
        Assert.Equal(Start.UtcDateTime, jwt.IssuedAt);
        Assert.Equal(Start.UtcDateTime, jwt.ValidFrom);
        Assert.Equal(Start.UtcDateTime.AddHours(2), jwt.ValidTo);
    }

    [Fact]
    public async Task Token_is_valid_until_expiry_plus_30_seconds_of_skew()
    {
        var token = _tokens.Issue("wxapp1", "oUser1");

        _time.SetUtcNow(Start.AddHours(2).AddSeconds(29));
        Assert.NotNull(await _tokens.ValidateAsync(token));
        _time.SetUtcNow(Start.AddHours(2).AddSeconds(31));
        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task Token_from_the_future_is_refused_beyond_the_skew()
    {
        // Issued by a clock ahead of the validating one (a FakeTimeProvider only moves forward).
        var within = Create(Key, "tianmu", time: new FakeTimeProvider(Start.AddSeconds(29))).Issue("wxapp1", "oUser1");
        var beyond = Create(Key, "tianmu", time: new FakeTimeProvider(Start.AddSeconds(31))).Issue("wxapp1", "oUser1");

        Assert.NotNull(await _tokens.ValidateAsync(within));
        Assert.Null(await _tokens.ValidateAsync(beyond));
    }

    [Fact]
    public async Task Token_of_an_app_not_configured_here_is_refused()
    {
        var token = _tokens.Issue("wxunknown", "oUser1");

        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task Token_of_another_issuer_is_refused()
    {
        var token = Create(Key, "someone-else").Issue("wxapp1", "oUser1");

        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task Token_signed_with_another_key_is_refused()
    {
        var token = Create("another-signing-key-0123456789abcdefgh", "tianmu").Issue("wxapp1", "oUser1");

        Assert.Null(await _tokens.ValidateAsync(token));
    }

    // A token with every claim right, signed as given (unsigned when null): only the signature can be wrong.
    private static string Forge(SigningCredentials? credentials) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "tianmu",
        Audience = "wxapp1",
        Subject = new ClaimsIdentity([new Claim("sub", "oUser1")]),
        IssuedAt = Start.UtcDateTime,
        NotBefore = Start.UtcDateTime,
        Expires = Start.UtcDateTime.AddHours(1),
        SigningCredentials = credentials,
    });

    [Fact]
    public async Task Unsigned_alg_none_token_is_refused()
    {
        var token = Forge(credentials: null);

        Assert.EndsWith(".", token, StringComparison.Ordinal);
        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task Token_with_another_algorithm_and_the_same_key_is_refused()
    {
        // A key long enough for HS512, held by the service too: only the algorithm differs.
        const string LongKey = Key + Key;
        var tokens = Create(LongKey, "tianmu");
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(LongKey));

        Assert.NotNull(await tokens.ValidateAsync(Forge(new SigningCredentials(key, SecurityAlgorithms.HmacSha256))));
        Assert.Null(await tokens.ValidateAsync(Forge(new SigningCredentials(key, SecurityAlgorithms.HmacSha512))));
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
        var token = _tokens.Issue("wxapp1", "oUser1");
        var parts = token.Split('.');
        var tamperedPayload = Base64UrlEncoder.Encode(Base64UrlEncoder.DecodeBytes(parts[1]).Select(b => b == (byte)'1' ? (byte)'2' : b).ToArray());

        Assert.Null(await _tokens.ValidateAsync(token[..^5]));
        Assert.Null(await _tokens.ValidateAsync(parts[0] + "." + parts[1]));
        Assert.Null(await _tokens.ValidateAsync(parts[0] + "." + tamperedPayload + "." + parts[2]));
    }

    [Fact]
    public async Task Token_whose_subject_is_not_a_legal_open_id_is_refused()
    {
        var token = _tokens.Issue("wxapp1", "bad/subject#1");

        Assert.Null(await _tokens.ValidateAsync(token));
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
