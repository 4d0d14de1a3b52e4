using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Tokens;

/// <summary>The JWKS, token refresh, key rotation as an operator does it, and the security stamp (docs/API.md, "Tokens").</summary>
public sealed class TokenRoutesTests(AppFixture fixture) : AppTest(fixture)
{
    private static string Jwt(JsonElement answer) => answer.GetProperty("jwt").GetString()!;

    private static async Task<JsonElement> JwksAsync(AppUnderTest app)
    {
        var response = await app.Client.GetAsync(new Uri("/api/.well-known/jwks.json", UriKind.Relative));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("public, max-age=3600", response.Headers.CacheControl?.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static string[] Kids(JsonElement jwks) => [.. jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];

    private static async Task<HttpResponseMessage> RefreshAsync(AppUnderTest app, string? token, string? body = null, string mediaType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/token/refresh");
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, mediaType);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await app.SendAsync(request);
    }

    private static async Task<int> UseAsync(AppUnderTest app, string user, string token) =>
        (int)(await app.UpdateUserInfoAsync(app.Seal(user, "Name " + Guid.NewGuid().ToString("N")[..6]), token)).StatusCode;

    [Fact]
    public async Task The_JWKS_is_anonymous_cacheable_and_holds_exactly_the_public_members_of_the_current_key()
    {
        await using var app = await StartAppAsync();

        var jwks = await JwksAsync(app);

        var key = Assert.Single(jwks.GetProperty("keys").EnumerateArray());
        Assert.Equal(["alg", "crv", "kid", "kty", "use", "x", "y"], key.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(("EC", "P-256", "sig", "ES256"), (key.GetProperty("kty").GetString(), key.GetProperty("crv").GetString(), key.GetProperty("use").GetString(), key.GetProperty("alg").GetString()));
        Assert.Equal(SigningKeys.Thumbprint(TestKeys.Current), key.GetProperty("kid").GetString());
        var q = TestKeys.Current.ExportParameters(false).Q;
        Assert.Equal(Base64UrlEncoder.Encode(q.X), key.GetProperty("x").GetString());
        Assert.Equal(Base64UrlEncoder.Encode(q.Y), key.GetProperty("y").GetString());
    }

    [Fact]
    public async Task A_game_server_verifies_a_login_token_with_the_JWKS_alone()
    {
        await using var app = await StartAppAsync();
        var token = Jwt(await app.LoginOkAsync("gs"));
        var set = new JsonWebKeySet((await JwksAsync(app)).GetRawText());

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = set.GetSigningKeys(),
            ValidAlgorithms = ["ES256"],
            ValidIssuer = "tianmu",
            ValidAudience = TestHost.AppId,
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(WeChatStandIn.OpenIdOf("gs"), ((JsonWebToken)result.SecurityToken).Subject);
    }

    [Fact]
    public async Task The_JWKS_serves_GET_only()
    {
        await using var app = await StartAppAsync();

        var response = await app.PostAsync("/api/.well-known/jwks.json", "{}");

        await ProblemAssert.IsProblemAsync(response, 405, "method_not_allowed");
    }

    [Fact]
    public async Task Refresh_answers_a_new_token_of_the_same_user_app_and_login_time_signed_by_the_current_key_and_the_old_one_stays_valid()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(configureServices: services => services.AddSingleton<TimeProvider>(clock));
        var first = Jwt(await app.LoginOkAsync("rae"));
        clock.Advance(TimeSpan.FromMinutes(90));

        var response = await RefreshAsync(app, first);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["expires_at", "jwt"], answer.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var (old, renewed) = (new JsonWebToken(first), new JsonWebToken(Jwt(answer)));
        Assert.Equal(old.Subject, renewed.Subject);
        Assert.Equal(old.Audiences, renewed.Audiences);
        Assert.Equal(old.GetPayloadValue<long>("auth_time"), renewed.GetPayloadValue<long>("auth_time"));
        Assert.Equal(old.GetPayloadValue<string>("stamp"), renewed.GetPayloadValue<string>("stamp"));
        Assert.Equal(SigningKeys.Thumbprint(TestKeys.Current), renewed.Kid);
        Assert.Equal(clock.GetUtcNow().AddHours(2).ToUnixTimeSeconds(), answer.GetProperty("expires_at").GetInt64());
        Assert.Equal(new DateTimeOffset(renewed.ValidTo).ToUnixTimeSeconds(), answer.GetProperty("expires_at").GetInt64());

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(200, await UseAsync(app, "rae", first));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(401, await UseAsync(app, "rae", first));
        Assert.Equal(200, await UseAsync(app, "rae", Jwt(answer)));
    }

    [Fact]
    public async Task Refresh_past_the_maximum_session_age_is_401_invalid_token()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(
            new Dictionary<string, string?> { ["Tianmu:Jwt:MaxSessionAge"] = "03:00:00" },
            services => services.AddSingleton<TimeProvider>(clock));
        var token = Jwt(await app.LoginOkAsync("sam"));

        // A chain of refreshes: each new token keeps the login's auth_time, so the chain ends 3 hours after the login.
        clock.Advance(TimeSpan.FromMinutes(100));
        var second = Jwt(JsonDocument.Parse(await (await RefreshAsync(app, token)).Content.ReadAsStringAsync()).RootElement);
        clock.Advance(TimeSpan.FromMinutes(79));
        var third = await RefreshAsync(app, second);
        Assert.Equal(200, (int)third.StatusCode);
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var late = await RefreshAsync(app, second);

        await ProblemAssert.IsProblemAsync(late, 401, "invalid_token");
        Assert.Equal("Bearer error=\"invalid_token\"", late.Headers.WwwAuthenticate.ToString());
        Assert.Equal(200, await UseAsync(app, "sam", second));
    }

    [Theory]
    [InlineData(null, "application/json", 200)]
    [InlineData("", "application/json", 200)]
    [InlineData("{}", "application/json", 200)]
    [InlineData("{\"unknown\":1}", "application/json", 200)]
    [InlineData("[]", "application/json", 400)]
    [InlineData("not json", "application/json", 400)]
    [InlineData("{}", "text/plain", 415)]
    public async Task Refresh_takes_an_empty_body_or_an_object(string? body, string mediaType, int status)
    {
        await using var app = await StartAppAsync();
        var token = Jwt(await app.LoginOkAsync("tia"));

        var response = await RefreshAsync(app, token, body, mediaType);

        Assert.Equal(status, (int)response.StatusCode);
    }

    [Fact]
    public async Task Refresh_checks_the_token_before_the_body_and_refuses_a_bad_token()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("uma");

        await ProblemAssert.IsProblemAsync(await RefreshAsync(app, null, "[]"), 401, "invalid_token");
        await ProblemAssert.IsProblemAsync(await RefreshAsync(app, TokenForge.Forge(WeChatStandIn.OpenIdOf("uma"), alg: "HS256")), 401, "invalid_token");
    }

    [Fact]
    public async Task A_token_of_a_deleted_and_recreated_profile_is_401_however_soon_the_user_comes_back()
    {
        await using var app = await StartAppAsync();
        var old = Jwt(await app.LoginOkAsync("vic"));
        var row = (await app.RowAsync("vic"))!;
        await app.Table.DeleteEntityAsync(row.PartitionKey, row.RowKey);

        var fresh = await app.LoginOkAsync("vic");

        Assert.True(fresh.GetProperty("is_new").GetBoolean());
        Assert.NotEqual(row.SecurityStamp, (await app.RowAsync("vic"))!.SecurityStamp);
        Assert.Equal(401, await UseAsync(app, "vic", old));
        await ProblemAssert.IsProblemAsync(await RefreshAsync(app, old), 401, "invalid_token");
        Assert.Equal(200, await UseAsync(app, "vic", Jwt(fresh)));
    }

    [Fact]
    public async Task A_profile_stored_before_stamps_accepts_no_token_until_its_next_login_draws_one()
    {
        await using var app = await StartAppAsync();
        var token = Jwt(await app.LoginOkAsync("wes"));
        var row = (await app.RowAsync("wes"))!;
        var legacy = new TableEntity(row.PartitionKey, row.RowKey);
        await foreach (var entity in app.Table.QueryAsync<TableEntity>(e => e.PartitionKey == row.PartitionKey && e.RowKey == row.RowKey))
        {
            foreach (var (key, value) in entity.Where(p => p.Key != "SecurityStamp"))
            {
                legacy[key] = value;
            }
        }

        await app.Table.UpsertEntityAsync(legacy, TableUpdateMode.Replace);
        Assert.Equal(string.Empty, (await app.RowAsync("wes"))!.SecurityStamp);

        Assert.Equal(401, await UseAsync(app, "wes", token));
        Assert.Equal(401, await UseAsync(app, "wes", TokenForge.Forge(WeChatStandIn.OpenIdOf("wes"), stamp: string.Empty)));
        var next = Jwt(await app.LoginOkAsync("wes"));
        Assert.NotEqual(string.Empty, (await app.RowAsync("wes"))!.SecurityStamp);
        Assert.Equal(200, await UseAsync(app, "wes", next));
        Assert.Equal(401, await UseAsync(app, "wes", token));
    }

    [Fact]
    public async Task Key_rotation_as_the_operator_does_it_keeps_old_tokens_while_their_key_is_listed_as_previous()
    {
        using var next = TestKeys.NewP256();
        var (oldKid, newKid) = (SigningKeys.Thumbprint(TestKeys.Current), SigningKeys.Thumbprint(next));
        string oldToken, table;
        await using (var before = await StartAppAsync())
        {
            oldToken = Jwt(await before.LoginOkAsync("xia"));
            table = before.Table.Name;
            Assert.Equal([oldKid], Kids(await JwksAsync(before)));
        }

        // Step 1: the new key becomes current, the old public key is listed as previous.
        await using (var rotated = await StartAppAsync(new Dictionary<string, string?>
        {
            ["Tianmu:Storage:TableName"] = table,
            ["Tianmu:Jwt:PrivateKey"] = next.ExportPkcs8PrivateKeyPem(),
            ["Tianmu:Jwt:PreviousPublicKeys"] = TestKeys.PublicPem(TestKeys.Current),
        }))
        {
            Assert.Equal([newKid, oldKid], Kids(await JwksAsync(rotated)));
            Assert.Equal(200, await UseAsync(rotated, "xia", oldToken));
            var refreshed = await RefreshAsync(rotated, oldToken);
            Assert.Equal(newKid, new JsonWebToken(Jwt(JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync()).RootElement)).Kid);
            Assert.Equal(newKid, new JsonWebToken(Jwt(await rotated.LoginOkAsync("yan"))).Kid);
        }

        // Step 2, one token lifetime later: the old key is removed, and its tokens fail.
        await using var retired = await StartAppAsync(new Dictionary<string, string?>
        {
            ["Tianmu:Storage:TableName"] = table,
            ["Tianmu:Jwt:PrivateKey"] = next.ExportPkcs8PrivateKeyPem(),
        });
        Assert.Equal([newKid], Kids(await JwksAsync(retired)));
        Assert.Equal(401, await UseAsync(retired, "xia", oldToken));
        await ProblemAssert.IsProblemAsync(await RefreshAsync(retired, oldToken), 401, "invalid_token");
    }

    [Fact]
    public async Task A_deployment_still_setting_the_HS256_signing_key_starts_with_a_Warning_and_refuses_HS256_tokens()
    {
        await using var plain = await StartAppAsync();
        await using var legacy = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Jwt:SigningKey"] = TestKeys.LegacySigningKey });
        await legacy.LoginOkAsync("zoe");

        Assert.DoesNotContain(plain.Host.Logs.GetSnapshot(), r => r.Id.Id == 6002);
        var warning = Assert.Single(legacy.Host.Logs.GetSnapshot(), r => r.Id.Id == 6002);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains("Tianmu__Jwt__SigningKey", warning.Message, StringComparison.Ordinal);
        Assert.Equal(401, await UseAsync(legacy, "zoe", TokenForge.Forge(WeChatStandIn.OpenIdOf("zoe"), alg: "HS256", stamp: (await legacy.RowAsync("zoe"))!.SecurityStamp)));
    }

    [Fact]
    public void In_Development_a_missing_key_is_generated_with_a_Warning()
    {
        var logger = new FakeLogger<SigningKeys>();

        var keys = new SigningKeys(Options.Create(new JwtOptions()), new TestEnvironment("Development"), logger);

        Assert.True(keys.GeneratedForDevelopment);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, logger.LatestRecord.Level);
        Assert.Contains("Tianmu__Jwt__PrivateKey", logger.LatestRecord.Message, StringComparison.Ordinal);
        Assert.Equal(SigningKeys.Thumbprint(keys.Current.ECDsa), keys.Current.KeyId);
    }
}
