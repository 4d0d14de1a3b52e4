using System.Text;
using Tianmu.Functions.Login;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Http;

/// <summary>What a corpus request needs that only exists at run time: a fresh valid code and a valid sealed body.</summary>
public sealed record CorpusContext(string Code, string EncryptedData, string Iv, string Signature, string RawData);

/// <summary>One malformed request and the answer the contract gives it.</summary>
public sealed record CorpusCase(
    string Name,
    string Method,
    string Path,
    byte[]? Body,
    int Status,
    string Code,
    string? ContentType = "application/json",
    bool WithToken = true,
    bool Chunked = false,
    string? Allow = null);

/// <summary>
/// Item 5: malformed requests generated from docs/API.md: for every field of both bodies, every wrong JSON type, every
/// length and pattern limit; then whole bodies that are not one JSON object; duplicates; invalid UTF-8; depth; sizes;
/// content types; methods; and the check order. Every other member of a case is valid (a fresh login code, data
/// sealed with the user's real session key), so a case the app wrongly accepted would reach WeChat or storage.
/// </summary>
public static class BadInputCorpus
{
    public const string Login = "/api/login";
    public const string UpdateUserInfo = "/api/updateUserInfo";

    private const string InvalidRequest = "invalid_request";

    // Every JSON type a string member can be given instead of a string (null counts as absent, so it is valid).
    private static readonly string[] WrongTypes = ["1", "1.5", "-1", "0", "true", "false", "[]", "{}", "[\"x\"]", "{\"a\":\"b\"}"];

    /// <summary>Bodies that are not one JSON object; the same for both endpoints.</summary>
    private static readonly (string Name, byte[] Body)[] NotAnObject =
    [
        ("empty body", []),
        ("whitespace only", Utf8("  \n ")),
        ("null", Utf8("null")),
        ("array", Utf8("[]")),
        ("array of the object", Utf8("[{\"a\":1}]")),
        ("number", Utf8("42")),
        ("string", Utf8("\"{}\"")),
        ("true", Utf8("true")),
        ("open brace", Utf8("{")),
        ("close brace", Utf8("}")),
        ("member without value", Utf8("{\"a\":}")),
        ("member without colon", Utf8("{\"a\" 1}")),
        ("trailing comma", Utf8("{\"a\":1,}")),
        ("comment", Utf8("{/* c */}")),
        ("single quotes", Utf8("{'a':'b'}")),
        ("unquoted name", Utf8("{a:1}")),
        ("NaN", Utf8("{\"a\":NaN}")),
        ("two objects", Utf8("{}{}")),
        ("trailing garbage", Utf8("{} x")),
        ("truncated string", Utf8("{\"a\":\"b")),
        ("control character in a string", Utf8("{\"a\":\"b\u0001c\"}")),
        ("bad escape", Utf8("{\"a\":\"\\x41\"}")),
        ("UTF-16 body", Encoding.Unicode.GetBytes("{\"a\":\"b\"}")),
        ("form body", Utf8("a=1&b=2")),
        ("depth 1000 of arrays", Utf8(new string('[', 1000) + new string(']', 1000))),
        ("depth 1000 inside an unknown member", Utf8("{\"x\":" + new string('[', 1000) + new string(']', 1000) + "}")),
        ("depth 33 of objects", Utf8(string.Concat(Enumerable.Repeat("{\"a\":", 33)) + "1" + new string('}', 33))),
    ];

    public static IReadOnlyList<CorpusCase> Build(CorpusContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cases = new List<CorpusCase>();
        cases.AddRange(LoginCases(context));
        cases.AddRange(UpdateUserInfoCases(context));
        cases.AddRange(TransportCases(context));
        return cases;
    }

    /// <summary>A dummy context for counting.</summary>
    public static CorpusContext Sample { get; } = new("ok-sample-1", "AAAA", Convert.ToBase64String(new byte[16]), new string('a', 40), "{}");

    private static IEnumerable<CorpusCase> LoginCases(CorpusContext c)
    {
        (string, byte[])[] Valid() => [("app_id", Str(TestHost.AppId)), ("code", Str(c.Code))];
        CorpusCase Bad(string name, byte[] body, int status = 400, string code = InvalidRequest) => new("login: " + name, "POST", Login, body, status, code);

        foreach (var field in new[] { "app_id", "code", "from_code", "ofp" })
        {
            foreach (var wrong in WrongTypes)
            {
                yield return Bad($"{field} = {wrong}", With(Valid(), field, Utf8(wrong)));
            }
        }

        yield return Bad("app_id missing", Without(Valid(), "app_id"));
        yield return Bad("app_id null", With(Valid(), "app_id", Utf8("null")));
        yield return Bad("code missing", Without(Valid(), "code"));
        yield return Bad("code null", With(Valid(), "code", Utf8("null")));
        yield return Bad("both missing", Utf8("{}"));
        yield return Bad("only unknown members", Utf8("{\"appId\":\"wxtest0000000001\",\"Code\":\"x\"}"));
        foreach (var (name, value) in IllegalIds())
        {
            yield return Bad("app_id " + name, With(Valid(), "app_id", Str(value)));
        }

        yield return Bad("code empty", With(Valid(), "code", Str("")));
        yield return Bad($"code of {LoginService.MaxCodeLength + 1} characters", With(Valid(), "code", Str(new string('c', LoginService.MaxCodeLength + 1))));
        yield return Bad("code of 60000 characters", With(Valid(), "code", Str(new string('c', 60_000))));
        yield return Bad($"from_code of {LoginService.MaxFromCodeLength + 1} characters", With(Valid(), "from_code", Str(new string('f', LoginService.MaxFromCodeLength + 1))));
        yield return Bad($"from_code of {LoginService.MaxFromCodeLength + 1} Chinese characters", With(Valid(), "from_code", Str(new string('码', LoginService.MaxFromCodeLength + 1))));
        yield return Bad($"ofp of {LoginService.MaxOfpLength + 1} characters", With(Valid(), "ofp", Str(new string('o', LoginService.MaxOfpLength + 1))));
        yield return Bad("ofp of 60000 characters", With(Valid(), "ofp", Str(new string('o', 60_000))));
        foreach (var scene in new[] { "1.5", "-1", "100000", "2147483648", "1e3", "99999.0", "\"123456\"", "\"12a\"", "\"-1\"", "\" 12\"", "\"1.5\"", "\"１２\"", "true", "false", "[]", "{}", "[1044]" })
        {
            yield return Bad($"scene = {scene}", With(Valid(), "scene", Utf8(scene)));
        }

        foreach (var (name, body) in NotAnObject)
        {
            yield return Bad(name, body);
        }

        var code = Str(c.Code);
        yield return Bad("app_id given twice", Obj(("app_id", Str(TestHost.AppId)), ("app_id", Str(TestHost.AppId)), ("code", code)));
        yield return Bad("code given twice", Obj(("app_id", Str(TestHost.AppId)), ("code", code), ("code", code)));
        yield return Bad("scene given twice", Obj(("app_id", Str(TestHost.AppId)), ("code", code), ("scene", Utf8("1")), ("scene", Utf8("2"))));
        yield return Bad("inviter given twice", Obj(("app_id", Str(TestHost.AppId)), ("code", code), ("inviter", Str("a")), ("inviter", Str("b"))));
        yield return Bad("unknown member given twice", Obj(("app_id", Str(TestHost.AppId)), ("code", code), ("extra", Utf8("1")), ("extra", Utf8("2"))));
        yield return Bad("app_id given twice, once escaped", Obj(("app_id", Str(TestHost.AppId)), ("app\\u005fid", Str(TestHost.AppId)), ("code", code)));
        yield return Bad("null then value", Obj(("app_id", Utf8("null")), ("app_id", Str(TestHost.AppId)), ("code", code)));

        yield return Bad("invalid UTF-8 in code", With(Valid(), "code", Splice(Str(c.Code), 0xFF)));
        yield return Bad("invalid UTF-8 in from_code", With(Valid(), "from_code", Splice(Str("abc"), 0xC3)));
        yield return Bad("overlong UTF-8 in ofp", With(Valid(), "ofp", Splice(Str("abc"), 0xC0, 0xAF)));
        yield return Bad("UTF-16 surrogate encoded as UTF-8 in code", With(Valid(), "code", Splice(Str(c.Code), 0xED, 0xA0, 0x80)));
        yield return Bad("lone surrogate escape in code", With(Valid(), "code", Utf8("\"ab\\ud800\"")));
        yield return Bad("invalid UTF-8 in an unknown member", With(Valid(), "extra", Splice(Str("abc"), 0xFE)));
        yield return Bad("invalid UTF-8 in a member name", Obj(("app_id", Str(TestHost.AppId)), ("code", code), ("ex\xFFtra", Utf8("1"))));
        yield return Bad("app_id of another case (unknown app)", With(Valid(), "app_id", Str(TestHost.AppId.ToUpperInvariant())), 404, "unknown_app");
        yield return Bad("app_id well formed, not configured", With(Valid(), "app_id", Str("wxnotconfigured00")), 404, "unknown_app");
    }

    private static IEnumerable<CorpusCase> UpdateUserInfoCases(CorpusContext c)
    {
        (string, byte[])[] Valid() =>
            [("encryptedData", Str(c.EncryptedData)), ("iv", Str(c.Iv)), ("rawData", Str(c.RawData)), ("signature", Str(c.Signature))];
        CorpusCase Bad(string name, byte[] body, int status = 400, string code = InvalidRequest) => new("updateUserInfo: " + name, "POST", UpdateUserInfo, body, status, code);

        foreach (var field in new[] { "encryptedData", "iv", "signature", "rawData" })
        {
            foreach (var wrong in WrongTypes)
            {
                yield return Bad($"{field} = {wrong}", With(Valid(), field, Utf8(wrong)));
            }
        }

        yield return Bad("encryptedData missing", Without(Valid(), "encryptedData"));
        yield return Bad("encryptedData null", With(Valid(), "encryptedData", Utf8("null")));
        yield return Bad("encryptedData empty", With(Valid(), "encryptedData", Str("")));
        yield return Bad("encryptedData not base64", With(Valid(), "encryptedData", Str("not base64!")));
        yield return Bad("encryptedData base64url", With(Valid(), "encryptedData", Str(c.EncryptedData.Replace('+', '-').Replace('/', '_') + "-_")));
        yield return Bad("encryptedData bad length", With(Valid(), "encryptedData", Str(c.EncryptedData[..^1])));
        yield return Bad("encryptedData of 60000 non-base64 characters", With(Valid(), "encryptedData", Str(new string('%', 60_000))));
        yield return Bad("iv missing", Without(Valid(), "iv"));
        yield return Bad("iv empty", With(Valid(), "iv", Str("")));
        yield return Bad("iv not base64", With(Valid(), "iv", Str("*not*base64*")));
        foreach (var length in new[] { 1, 8, 15, 17, 24, 32 })
        {
            yield return Bad($"iv of {length} bytes", With(Valid(), "iv", Str(Convert.ToBase64String(new byte[length]))));
        }

        yield return Bad("signature empty", With(Valid(), "signature", Str("")));
        yield return Bad("signature of 39 hex digits", With(Valid(), "signature", Str(c.Signature[..39])));
        yield return Bad("signature of 41 hex digits", With(Valid(), "signature", Str(c.Signature + "a")));
        yield return Bad("signature of 40 non-hex characters", With(Valid(), "signature", Str(new string('g', 40))));
        yield return Bad("signature as base64", With(Valid(), "signature", Str(Convert.ToBase64String(new byte[20]))));
        yield return Bad("signature of 40 full-width digits", With(Valid(), "signature", Str(new string('０', 40))));
        yield return Bad("rawData without signature", Without(Valid(), "signature"));
        yield return Bad("rawData with a null signature", With(Valid(), "signature", Utf8("null")));

        foreach (var (name, body) in NotAnObject)
        {
            yield return Bad(name, body);
        }

        yield return Bad("encryptedData given twice", Obj(("encryptedData", Str(c.EncryptedData)), ("encryptedData", Str(c.EncryptedData)), ("iv", Str(c.Iv))));
        yield return Bad("iv given twice", Obj(("encryptedData", Str(c.EncryptedData)), ("iv", Str(c.Iv)), ("iv", Str(c.Iv))));
        yield return Bad("signature given twice", Add(Valid(), "signature", Str(c.Signature)));
        yield return Bad("unknown member given twice", Obj(("encryptedData", Str(c.EncryptedData)), ("iv", Str(c.Iv)), ("x", Utf8("1")), ("x", Utf8("1"))));
        yield return Bad("lone surrogate escape in rawData", With(Valid(), "rawData", Utf8("\"{}\\udc00\"")));
        yield return Bad("invalid UTF-8 in rawData", With(Valid(), "rawData", Splice(Str(c.RawData), 0xFF)));
        yield return Bad("invalid UTF-8 in encryptedData", With(Valid(), "encryptedData", Splice(Str(c.EncryptedData), 0x80)));
        yield return Bad("invalid UTF-8 in an unknown member", With(Valid(), "note", Splice(Str("abc"), 0xC3, 0x28)));
    }

    private static IEnumerable<CorpusCase> TransportCases(CorpusContext c)
    {
        var login = Obj(("app_id", Str(TestHost.AppId)), ("code", Str(c.Code)));
        var update = Obj(("encryptedData", Str(c.EncryptedData)), ("iv", Str(c.Iv)));
        var oversized = Pad(login, JsonBodyLimit + 1);
        var updateOversized = Pad(update, JsonBodyLimit + 1);
        foreach (var (path, body, allow) in new[] { (Login, login, "POST"), (UpdateUserInfo, update, "POST") })
        {
            var route = path == Login ? "login" : "updateUserInfo";
            foreach (var method in new[] { "GET", "PUT", "DELETE", "PATCH", "OPTIONS" })
            {
                yield return new($"{route}: {method}", method, path, method is "GET" or "DELETE" or "OPTIONS" ? null : body, 405, "method_not_allowed", Allow: allow);
            }

            yield return new($"{route}: PUT with text/plain (method before media type)", "PUT", path, body, 405, "method_not_allowed", ContentType: "text/plain", Allow: allow);
            yield return new($"{route}: PUT over 64 KiB (method before size)", "PUT", path, path == Login ? oversized : updateOversized, 405, "method_not_allowed", Allow: allow);
            foreach (var type in new[] { "text/plain", "text/json", "text/html; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json-patch", "application/jsonx", "application/octet-stream", "json", "application/", "garbage;;" })
            {
                yield return new($"{route}: Content-Type {type}", "POST", path, body, 415, "unsupported_media_type", ContentType: type);
            }

            yield return new($"{route}: 65537 bytes with Content-Length", "POST", path, path == Login ? oversized : updateOversized, 413, "payload_too_large");
            yield return new($"{route}: 65537 bytes chunked", "POST", path, path == Login ? oversized : updateOversized, 413, "payload_too_large", Chunked: true);
            yield return new($"{route}: 1 MiB chunked", "POST", path, Pad(body, 1 << 20), 413, "payload_too_large", Chunked: true);
            yield return new($"{route}: over 64 KiB as text/plain (size before media type)", "POST", path, path == Login ? oversized : updateOversized, 413, "payload_too_large", ContentType: "text/plain");
        }

        yield return new("health: POST", "POST", "/api/health", login, 405, "method_not_allowed", Allow: "GET");
        yield return new("health: DELETE", "DELETE", "/api/health", null, 405, "method_not_allowed", Allow: "GET");
        yield return new("updateUserInfo: over 64 KiB without a token (size before token)", "POST", UpdateUserInfo, updateOversized, 413, "payload_too_large", WithToken: false);
        yield return new("updateUserInfo: text/plain without a token (media type before token)", "POST", UpdateUserInfo, update, 415, "unsupported_media_type", ContentType: "text/plain", WithToken: false);
        yield return new("updateUserInfo: not JSON without a token (token before body)", "POST", UpdateUserInfo, Utf8("{"), 401, "invalid_token", WithToken: false);
        yield return new("login: bad body for an unknown app (body before app)", "POST", Login, Obj(("app_id", Str("wxnotconfigured00")), ("code", Utf8("1"))), 400, InvalidRequest);
        yield return new("login: no content type, not JSON (read as JSON)", "POST", Login, Utf8("app_id=wx&code=1"), 400, InvalidRequest, ContentType: null);
    }

    private const int JsonBodyLimit = Tianmu.Functions.Http.JsonBody.MaxBytes;

    public static IEnumerable<(string Name, string Value)> IllegalIds() =>
    [
        ("with /", "wx/test"),
        ("with \\", "wx\\test"),
        ("with #", "wx#test"),
        ("with ?", "wx?test"),
        ("with a space", "wx test"),
        ("with a tab", "wx\ttest"),
        ("with NUL", "wx\0test"),
        ("with U+001F", "wx\u001ftest"),
        ("with DEL", "wx\u007ftest"),
        ("with U+0085", "wx\u0085test"),
        ("with a dot", "wx.test"),
        ("with a quote", "wx'test"),
        ("Chinese", "微信应用"),
        ("full-width letters", "ｗｘｔｅｓｔ"),
        ("of 65 characters", new string('a', 65)),
        ("of 1025 characters", new string('a', 1025)),
        ("empty", ""),
        ("a configured app id with a trailing line break", TestHost.AppId + "\n"),
        ("with a trailing line break", "wx0123456789abcdef\n"),
        ("with a trailing CRLF", "wx0123456789abcdef\r\n"),
        ("with a leading line break", "\nwx0123456789abcdef"),
    ];

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A JSON string literal, escaped as System.Text.Json would.</summary>
    public static byte[] Str(string value) => Utf8(AppRequests.JsonString(value));

    /// <summary>An object from raw members, in order, duplicates allowed; a name char U+00FF becomes the raw byte 0xFF.</summary>
    public static byte[] Obj(params (string Name, byte[] Raw)[] members)
    {
        var body = new List<byte> { (byte)'{' };
        for (var i = 0; i < members.Length; i++)
        {
            if (i > 0)
            {
                body.Add((byte)',');
            }

            body.Add((byte)'"');
            foreach (var ch in members[i].Name)
            {
                if (ch == '\xFF')
                {
                    body.Add(0xFF);
                }
                else
                {
                    body.AddRange(Utf8(ch.ToString()));
                }
            }

            body.AddRange("\":"u8.ToArray());
            body.AddRange(members[i].Raw);
        }

        body.Add((byte)'}');
        return [.. body];
    }

    private static byte[] With((string Name, byte[] Raw)[] members, string name, byte[] raw) =>
        members.Any(m => m.Name == name)
            ? Obj([.. members.Select(m => m.Name == name ? (m.Name, raw) : m)])
            : Obj([.. members, (name, raw)]);

    private static byte[] Add((string Name, byte[] Raw)[] members, string name, byte[] raw) => Obj([.. members, (name, raw)]);

    private static byte[] Without((string Name, byte[] Raw)[] members, string name) => Obj([.. members.Where(m => m.Name != name)]);

    /// <summary>A string literal with raw bytes inserted after its first character (inside the quotes).</summary>
    private static byte[] Splice(byte[] literal, params byte[] raw) => [.. literal[..2], .. raw, .. literal[2..]];

    /// <summary>The body padded with trailing whitespace to exactly <paramref name="length"/> bytes: valid JSON, just too large.</summary>
    private static byte[] Pad(byte[] body, int length) => [.. body, .. Enumerable.Repeat((byte)' ', length - body.Length)];
}
