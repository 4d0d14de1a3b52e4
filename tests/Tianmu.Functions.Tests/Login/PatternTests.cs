using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tianmu.Functions.Profiles;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Login;

/// <summary>Issue 13, failure 4: every pattern matches the whole string (<c>\z</c>, not <c>$</c>).</summary>
public sealed class PatternTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task An_app_id_with_a_trailing_line_break_is_400_not_unknown_app()
    {
        await using var app = await StartAppAsync();
        var code = app.WeChat.NewCode("newline-app");

        var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"wx0123456789abcdef\\n\",\"code\":\"{code}\"}}");

        await ProblemAssert.IsProblemAsync(response, 400, "invalid_request");
        Assert.Equal(0, app.WeChat.RequestsFor(code));
    }

    [Fact]
    public async Task An_inviter_with_a_trailing_line_break_is_ignored_and_never_reaches_storage()
    {
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(spy: spy);
        await app.LoginOkAsync("newline-inviter");
        var inviter = WeChatStandIn.OpenIdOf("newline-inviter");
        spy.Requests.Clear();

        var guest = await app.LoginOkAsync("newline-guest", $"\"inviter\":{JsonSerializer.Serialize(inviter + "\n")}");

        Assert.True(guest.GetProperty("is_new").GetBoolean());
        Assert.DoesNotContain(spy.Requests, r => r.Contains(inviter, StringComparison.Ordinal));
        Assert.Equal(0, (await app.RowAsync("newline-inviter"))!.ShareNew);
    }

    [Fact]
    public void Every_generated_pattern_in_the_app_is_anchored_at_both_ends_of_the_whole_string()
    {
        var patterns = new[] { typeof(ProfileKeys).Assembly, typeof(Tianmu.WeChat.Crypto.WeChatDataCrypto).Assembly, typeof(Tianmu.LocalHost.Hosting.FunctionRoutes).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<GeneratedRegexAttribute>()))
            .Where(found => found.Attribute is not null)
            .ToList();

        Assert.NotEmpty(patterns);
        foreach (var (method, attribute) in patterns)
        {
            var pattern = attribute!.Pattern;
            Assert.True(pattern.StartsWith('^') && pattern.EndsWith("\\z", StringComparison.Ordinal), $"{method.DeclaringType!.Name}.{method.Name}: {pattern}");
            var regex = (Regex)method.Invoke(null, null)!;
            Assert.False(regex.IsMatch("abc\n"), $"{method.Name} matches a trailing line break");
        }
    }

    [Fact]
    public void No_id_with_any_trailing_or_leading_control_character_is_legal()
    {
        for (var c = '\0'; c < ' '; c++)
        {
            Assert.False(ProfileKeys.IsLegalId("wxapp" + c), $"U+{(int)c:X4} at the end");
            Assert.False(ProfileKeys.IsLegalId(c + "wxapp"), $"U+{(int)c:X4} at the start");
        }

        Assert.True(ProfileKeys.IsLegalId("wx0123456789abcdef"));
    }

    [Fact]
    public async Task A_client_written_X_Forwarded_For_entry_cannot_choose_the_login_location()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Http:TrustForwardedFor"] = "true" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/login")
        {
            Content = AppUnderTest.Json($"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{app.WeChat.NewCode("xff-spoofer")}\"}}"),
        };
        // The client wrote the Guangzhou address; the front end appended the real one (abroad).
        request.Headers.Add("X-Forwarded-For", "202.96.128.86, 8.8.8.8:50123");

        var response = await app.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        var profile = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(string.Empty, profile.GetProperty("login_province").GetString());
        Assert.Equal(string.Empty, profile.GetProperty("login_city").GetString());
    }
}
