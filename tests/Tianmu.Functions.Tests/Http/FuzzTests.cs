using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tianmu.Functions.Http;
using Tianmu.Functions.Login;
using Tianmu.Functions.UserInfo;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Http;

/// <summary>
/// Item 9: FsCheck properties over the request parsing (JsonBody and the request records) and, over real HTTP,
/// over login and the whole decrypt path of updateUserInfo. Bounded case counts keep CI fast; a failure prints
/// FsCheck's seed and the shrunk body.
/// </summary>
public sealed class FuzzTests(AppFixture fixture) : AppTest(fixture)
{
    private const int ParsingCases = 500;
    private const int HttpCases = 150;
    private static readonly HashSet<int> LoginStatuses = [200, 400, 404];
    private static readonly HashSet<int> UpdateStatuses = [200, 400, 422];

    private AppUnderTest? _app;
    private string _token = string.Empty;
    private string _before = string.Empty;
    private int _cases;

    [Property(MaxTest = ParsingCases)]
    public void Arbitrary_bytes_parse_to_a_request_or_fail_only_as_invalid_request(byte[] body)
    {
        ParsesOrRefuses(body ?? [], LoginJson.Default.LoginRequest);
        ParsesOrRefuses(body ?? [], UpdateUserInfoJson.Default.UpdateUserInfoRequest);
    }

    [Property(MaxTest = ParsingCases, Arbitrary = [typeof(Bodies)])]
    public void Arbitrary_objects_of_contract_members_parse_or_fail_only_as_invalid_request(JsonBodyCase body)
    {
        var login = ParsesOrRefuses(body.Utf8, LoginJson.Default.LoginRequest);
        var update = ParsesOrRefuses(body.Utf8, UpdateUserInfoJson.Default.UpdateUserInfoRequest);
        if (body.HasDuplicate)
        {
            Assert.Null(login);
            Assert.Null(update);
        }
    }

    [Property(MaxTest = HttpCases, Arbitrary = [typeof(Bodies)])]
    public async Task Arbitrary_login_bodies_get_200_or_a_documented_4xx_never_5xx(JsonBodyCase body)
    {
        var app = await AppAsync();

        var response = await app.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/login") { Content = Content(body.Utf8) });

        await AssertDocumentedAsync(response, LoginStatuses);
        _cases++;
    }

    [Property(MaxTest = HttpCases, Arbitrary = [typeof(Bodies)])]
    public async Task Arbitrary_mutations_of_sealed_user_info_get_200_400_or_422_and_failures_store_nothing(SealedMutation mutation)
    {
        var app = await AppAsync();
        var sealedBody = JsonSerializer.Deserialize<Dictionary<string, string>>(app.Seal("fuzz-holder", "Fuzzed"))!;
        var body = mutation.Apply(sealedBody);
        SecretsWitness.NoteSealedBody(Encoding.UTF8.GetString(body));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/updateUserInfo") { Content = Content(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);

        var response = await app.SendAsync(request);

        await AssertDocumentedAsync(response, UpdateStatuses);
        if (response.IsSuccessStatusCode)
        {
            _before = await app.DumpAsync();
        }
        else
        {
            Assert.Equal(_before, await app.DumpAsync());
        }

        _cases++;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            Figures.Record("fuzz", "HTTP cases in " + (TestContext.Current.Test?.TestDisplayName ?? "?"), _cases);
            await _app.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private static T? ParsesOrRefuses<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return JsonBody.Deserialize(body, typeInfo);
        }
        catch (ApiException exception)
        {
            Assert.Equal(ApiErrorCode.InvalidRequest, exception.Code);
            return null;
        }
    }

    private static ByteArrayContent Content(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task AssertDocumentedAsync(HttpResponseMessage response, HashSet<int> allowed)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(allowed.Contains(status), $"answered {status}: {text}");
        if (status != 200)
        {
            var code = JsonDocument.Parse(text).RootElement.GetProperty("code").GetString();
            Assert.Contains(code, ApiErrors.All.Where(e => e.Status == status).Select(e => e.Code));
        }
    }

    private async Task<AppUnderTest> AppAsync()
    {
        if (_app is null)
        {
            // One token sends every case: the per-user limit (Limits/) is off here, it has tests of its own.
            _app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Limits:UserRequestsPerMinute"] = "0" });
            _token = (await _app.LoginOkAsync("fuzz-holder")).GetProperty("jwt").GetString()!;
            _before = await _app.DumpAsync();
        }

        return _app;
    }
}

/// <summary>A generated JSON object body, as bytes, and whether it names a member twice.</summary>
public sealed record JsonBodyCase(byte[] Utf8, bool HasDuplicate)
{
    public override string ToString() => Encoding.UTF8.GetString(Utf8);
}

/// <summary>A change to a genuine sealed updateUserInfo body: members replaced, removed, bytes flipped.</summary>
public sealed record SealedMutation(string Member, int Kind, int Position, byte Mask, string Replacement)
{
    public byte[] Apply(Dictionary<string, string> sealedBody)
    {
        ArgumentNullException.ThrowIfNull(sealedBody);
        var body = new Dictionary<string, object?>(sealedBody.Select(p => KeyValuePair.Create(p.Key, (object?)p.Value)));
        switch (Kind)
        {
            case 0:
                body.Remove(Member);
                break;
            case 1:
                body[Member] = Replacement;
                break;
            case 2 when body.TryGetValue(Member, out var value) && value is string text && text.Length > 0:
                // Flip bits in the decoded bytes when the member is base64, else in the text.
                try
                {
                    var bytes = Convert.FromBase64String(text);
                    bytes[Position % bytes.Length] ^= Mask == 0 ? (byte)1 : Mask;
                    body[Member] = Convert.ToBase64String(bytes);
                }
                catch (FormatException)
                {
                    var chars = text.ToCharArray();
                    chars[Position % chars.Length] = (char)(chars[Position % chars.Length] ^ (Mask == 0 ? 1 : Mask % 32));
                    body[Member] = new string(chars);
                }

                break;
            case 3 when body.TryGetValue(Member, out var value) && value is string text:
                body[Member] = text[..(Position % (text.Length + 1))];
                break;
            case 4:
                body[Member] = Position;
                break;
            default:
                break;
        }

        return JsonSerializer.SerializeToUtf8Bytes(body);
    }
}

/// <summary>The generators: objects built from the contract's member names with values of every JSON type.</summary>
public static class Bodies
{
    private static readonly string[] Names =
    [
        "app_id", "code", "scene", "from_code", "inviter", "ofp", "encryptedData", "iv", "signature", "rawData", "appId", "APP_ID", "x",
    ];

    public static Arbitrary<JsonBodyCase> JsonBodies() => Arb.From(
        from members in Gen.ListOf(Member()).Select(m => m.ToArray())
        select new JsonBodyCase(
            Encoding.UTF8.GetBytes("{" + string.Join(",", members.Select(m => JsonSerializer.Serialize(m.Name) + ":" + m.Value)) + "}"),
            members.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count() != members.Length));

    public static Arbitrary<SealedMutation> SealedMutations() => Arb.From(
        from member in Gen.Elements("encryptedData", "iv", "signature", "rawData", "extra")
        from kind in Gen.Choose(0, 5)
        from position in Gen.Choose(0, 4096)
        from mask in Gen.Choose(0, 255).Select(m => (byte)m)
        from replacement in Gen.OneOf(
            ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty),
            Gen.Elements("", "AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAAAA=", new string('a', 40), "{}", "null"))
        select new SealedMutation(member, kind, position, mask, replacement));

    private static Gen<(string Name, string Value)> Member() =>
        from name in Gen.Elements(Names)
        from value in Value(2)
        select (name, value);

    private static Gen<string> Value(int depth)
    {
        var scalars = Gen.OneOf(
            ArbMap.Default.GeneratorFor<string>().Select(s => JsonSerializer.Serialize(s ?? string.Empty)),
            Gen.Elements("wxtest0000000001", "ok-fuzz-1", "1044", "", "00000", new string('z', 129)).Select(s => JsonSerializer.Serialize(s)),
            ArbMap.Default.GeneratorFor<int>().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ArbMap.Default.GeneratorFor<double>().Where(double.IsFinite).Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Elements("true", "false", "null", "1e400", "-0", "99999", "100000"));
        if (depth == 0)
        {
            return scalars;
        }

        var inner = Value(depth - 1);
        return Gen.Frequency(
            (6, scalars),
            (1, Gen.ListOf(inner, 3).Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.ListOf(inner, 3).Select(items => "{" + string.Join(",", items.Select((v, i) => $"\"k{i}\":{v}")) + "}")));
    }
}
