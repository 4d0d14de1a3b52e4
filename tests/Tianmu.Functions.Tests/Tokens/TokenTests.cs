using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Tokens;

/// <summary>Item 6: every defect a bearer token can have is 401 invalid_token, with the challenge, and changes nothing.</summary>
public sealed class TokenTests(AppFixture fixture) : AppTest(fixture)
{
    private const string User = "token-holder";

    private static readonly string[] Defects =
    [
        "expired", "expired just past the skew", "not yet valid", "not yet valid just past the skew", "no exp",
        "another configured app, where the user has no profile", "an app not configured", "two audiences", "no audience", "wrong issuer",
        "re-signed with another P-256 key under its own kid", "re-signed with another P-256 key under the current kid",
        "alg none", "alg none with a signature", "alg none without a kid",
        "HS256 signed with the first release's signing key", "HS256 signed with the public key as the secret", "HS512 with the old key", "HS384 with the old key",
        "kid of no configured key", "no kid", "a P-384 key under ES256 and the current kid", "a P-384 key under ES384", "a P-384 key under ES256 and its own kid",
        "audience with a trailing character", "audience with a trailing slash", "audience in another case",
        "stamp missing", "stamp empty", "stamp of another profile", "stamp with a trailing character",
        "signature removed", "truncated", "one character changed in the payload", "header only", "garbage", "empty",
        "Basic scheme", "scheme without a token", "user that does not exist", "over 4096 characters",
    ];

    [Fact]
    public async Task Every_defective_token_is_401_invalid_token_and_changes_nothing()
    {
        await using var app = await StartAppAsync();
        var issued = (await app.LoginOkAsync(User)).GetProperty("jwt").GetString()!;
        var stamp = (await app.RowAsync(User))!.SecurityStamp;
        Assert.Equal(stamp, TokenForge.Claims(issued).GetProperty("stamp").GetString());
        var before = await app.DumpAsync();
        foreach (var defect in Defects)
        {
            var body = app.Seal(User, "Intruder");
            var response = await SendAsync(app, body, Header(defect, issued, stamp));

            Assert.True(401 == (int)response.StatusCode, $"{defect}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await ProblemAssert.IsProblemAsync(response, 401, "invalid_token");
            Assert.True("Bearer error=\"invalid_token\"" == response.Headers.WwwAuthenticate.ToString(), defect);
        }

        Assert.Equal(before, await app.DumpAsync());
        Figures.Record("tokens", "defective tokens tried", Defects.Length);
    }

    private static async Task<HttpResponseMessage> SendAsync(AppUnderTest app, string body, string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/updateUserInfo") { Content = AppUnderTest.Json(body) };
        request.Headers.TryAddWithoutValidation("Authorization", header);
        SecretsWitness.NoteSealedBody(body);
        return await app.SendAsync(request);
    }

    private static string Header(string defect, string issued, string stamp)
    {
        var sub = WeChatStandIn.OpenIdOf(User);
        var kid = TokenForge.Header(issued).GetProperty("kid").GetString();
        using var other = TestKeys.NewP256();
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        string Forge(
            string? aud = TestHost.AppId, string iss = "tianmu", DateTimeOffset? now = null, TimeSpan? notBeforeOffset = null,
            string alg = "ES256", ECDsa? key = null, string? forgedKid = null, string hmacKey = TestKeys.LegacySigningKey,
            bool withExp = true, object? audience = null, string? withStamp = null, string? subject = null) =>
            TokenForge.Forge(subject ?? sub, aud, iss, now, notBeforeOffset, null, alg, key, forgedKid, hmacKey, withExp, audience, withStamp ?? stamp);
        return defect switch
        {
            "expired" => Bearer(Forge(now: DateTimeOffset.UtcNow.AddHours(-3))),
            "expired just past the skew" => Bearer(Forge(now: DateTimeOffset.UtcNow.AddHours(-2).AddSeconds(-35))),
            "not yet valid" => Bearer(Forge(notBeforeOffset: TimeSpan.FromMinutes(10))),
            "not yet valid just past the skew" => Bearer(Forge(notBeforeOffset: TimeSpan.FromSeconds(40))),
            "no exp" => Bearer(Forge(withExp: false)),
            "another configured app, where the user has no profile" => Bearer(Forge(aud: TestHost.OtherAppId)),
            "an app not configured" => Bearer(Forge(aud: "wxnotconfigured00")),
            "two audiences" => Bearer(Forge(audience: new[] { TestHost.AppId, TestHost.OtherAppId })),
            "no audience" => Bearer(Forge(aud: null)),
            "wrong issuer" => Bearer(Forge(iss: "not-tianmu")),
            "re-signed with another P-256 key under its own kid" => Bearer(Forge(key: other)),
            "re-signed with another P-256 key under the current kid" => Bearer(Forge(key: other, forgedKid: kid)),
            "alg none" => Bearer(Forge(alg: "none", forgedKid: kid)),
            "alg none with a signature" => Bearer(Forge(alg: "none", forgedKid: kid) + issued.Split('.')[2]),
            "alg none without a kid" => Bearer(Forge(alg: "none")),
            "HS256 signed with the first release's signing key" => Bearer(Forge(alg: "HS256")),
            "HS256 signed with the public key as the secret" => Bearer(Forge(alg: "HS256", forgedKid: kid, hmacKey: TestKeys.PublicPem(TestKeys.Current))),
            "HS512 with the old key" => Bearer(Forge(alg: "HS512")),
            "HS384 with the old key" => Bearer(Forge(alg: "HS384")),
            "kid of no configured key" => Bearer(Forge(forgedKid: "no-such-key-" + kid)),
            "no kid" => Bearer(Forge(forgedKid: TokenForge.Omit)),
            "a P-384 key under ES256 and the current kid" => Bearer(Forge(key: p384, forgedKid: kid)),
            "a P-384 key under ES384" => Bearer(Forge(alg: "ES384", key: p384, forgedKid: kid)),
            "a P-384 key under ES256 and its own kid" => Bearer(Forge(key: p384, forgedKid: "p384")),
            "audience with a trailing character" => Bearer(Forge(aud: TestHost.AppId + "x")),
            "audience with a trailing slash" => Bearer(Forge(aud: TestHost.AppId + "/")),
            "audience in another case" => Bearer(Forge(aud: TestHost.AppId.ToUpperInvariant())),
            "stamp missing" => Bearer(Forge(withStamp: TokenForge.Omit)),
            "stamp empty" => Bearer(Forge(withStamp: string.Empty)),
            "stamp of another profile" => Bearer(Forge(withStamp: Functions.Profiles.ProfileRules.NewSecurityStamp())),
            "stamp with a trailing character" => Bearer(Forge(withStamp: stamp + "A")),
            "signature removed" => Bearer(issued[..(issued.LastIndexOf('.') + 1)]),
            "truncated" => Bearer(issued[..^5]),
            "one character changed in the payload" => Bearer(ChangePayload(issued)),
            "header only" => Bearer(issued.Split('.')[0]),
            "garbage" => Bearer("not-a-token"),
            "empty" => "Bearer ",
            "Basic scheme" => "Basic " + issued,
            "scheme without a token" => "Bearer",
            "user that does not exist" => Bearer(Forge(subject: WeChatStandIn.OpenIdOf("never-logged-in"))),
            "over 4096 characters" => Bearer(issued + new string('A', 4096)),
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };
    }

    [Fact]
    public async Task The_forged_tokens_are_accepted_when_nothing_is_wrong_with_them()
    {
        // The control for the theory above: the forge itself makes tokens the app accepts.
        await using var app = await StartAppAsync();
        await app.LoginOkAsync(User);
        var stamp = (await app.RowAsync(User))!.SecurityStamp;

        var response = await app.UpdateUserInfoAsync(app.Seal(User, "Genuine"), TokenForge.Forge(WeChatStandIn.OpenIdOf(User), stamp: stamp));

        Assert.Equal(200, (int)response.StatusCode);
    }

    // The HTTP-level twin of TokenServiceTests' boundary cases: the app's own clock decides, before and after.
    [Fact]
    public async Task A_token_is_valid_on_the_app_clock_only_from_issue_minus_the_skew_to_expiry_plus_the_skew()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(configureServices: services => services.AddSingleton<TimeProvider>(clock));
        var token = (await app.LoginOkAsync(User)).GetProperty("jwt").GetString();
        // Issued by a clock five minutes ahead of the app's (a FakeTimeProvider only moves forward).
        var fromTheFuture = TokenForge.Forge(WeChatStandIn.OpenIdOf(User), now: clock.GetUtcNow().AddMinutes(5), stamp: (await app.RowAsync(User))!.SecurityStamp);

        var early = await app.UpdateUserInfoAsync(app.Seal(User, "Early"), fromTheFuture);
        clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(20));
        var withinSkew = await app.UpdateUserInfoAsync(app.Seal(User, "Within skew"), token);
        clock.Advance(TimeSpan.FromSeconds(15));
        var expired = await app.UpdateUserInfoAsync(app.Seal(User, "Expired"), token);

        await ProblemAssert.IsProblemAsync(early, 401, "invalid_token");
        Assert.Equal(200, (int)withinSkew.StatusCode);
        await ProblemAssert.IsProblemAsync(expired, 401, "invalid_token");
        Assert.Equal("Within skew", (await app.RowAsync(User))!.NickName);
    }

    private static string Bearer(string token) => "Bearer " + token;

    private static string ChangePayload(string token)
    {
        var parts = token.Split('.');
        var payload = parts[1].ToCharArray();
        payload[5] = payload[5] == 'A' ? 'B' : 'A';
        return parts[0] + "." + new string(payload) + "." + parts[2];
    }
}
