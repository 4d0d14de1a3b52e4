using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tianmu.Functions.Http;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Http;

/// <summary>Item 5: the malformed-request corpus over real HTTP; each answer checked, then the table compared byte for byte.</summary>
public sealed class BadInputTests(AppFixture fixture) : AppTest(fixture)
{
    private static readonly HashSet<string> DocumentedCodes = [.. ApiErrors.All.Select(e => e.Code)];

    [Fact]
    public void The_corpus_holds_at_least_200_requests_with_distinct_names()
    {
        var corpus = BadInputCorpus.Build(BadInputCorpus.Sample);

        Assert.True(corpus.Count >= 200, $"only {corpus.Count} cases");
        Assert.Equal(corpus.Count, corpus.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(corpus, c => Assert.Contains(c.Code, DocumentedCodes));
    }

    [Fact]
    public async Task Every_malformed_request_gets_its_documented_4xx_and_the_store_is_unchanged()
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync("corpus-holder")).GetProperty("jwt").GetString()!;
        Assert.Equal(200, (int)(await app.UpdateUserInfoAsync(app.Seal("corpus-holder", "Holder"), token)).StatusCode);
        await app.LoginOkAsync("corpus-bystander");
        var sealedBody = app.Seal("corpus-holder", "Slipped through");
        SecretsWitness.NoteSealedBody(sealedBody);
        var sealedData = JsonDocument.Parse(sealedBody).RootElement;
        var context = new CorpusContext(
            app.WeChat.NewCode("corpus-slipped"),
            sealedData.GetProperty("encryptedData").GetString()!,
            sealedData.GetProperty("iv").GetString()!,
            sealedData.GetProperty("signature").GetString()!,
            sealedData.GetProperty("rawData").GetString()!);
        var corpus = BadInputCorpus.Build(context);
        var before = await app.DumpAsync();
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();

        foreach (var corpusCase in corpus)
        {
            using var request = new HttpRequestMessage(new HttpMethod(corpusCase.Method), corpusCase.Path);
            if (corpusCase.Body is { } body)
            {
                request.Content = new ByteArrayContent(body);
                if (corpusCase.ContentType is { } type)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                }

                request.Headers.TransferEncodingChunked = corpusCase.Chunked;
            }

            if (corpusCase.WithToken)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await app.SendAsync(request);
            var problem = await CheckAsync(response, corpusCase);
            if (problem is not null)
            {
                failures.Add($"{corpusCase.Name}: {problem}");
            }
        }

        var elapsed = clock.Elapsed;
        Assert.True(failures.Count == 0, $"{failures.Count} of {corpus.Count} cases answered wrongly:\n" + string.Join('\n', failures));
        Assert.Equal(before, await app.DumpAsync());
        Assert.Equal(0, app.WeChat.RequestsFor(context.Code));
        Figures.Record("corpus", "malformed requests", corpus.Count);
        Figures.Record("corpus", "statuses: " + string.Join(", ", corpus.GroupBy(c => c.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}")), corpus.Count);
        Figures.Record("corpus", "corpus duration ms", elapsed.TotalMilliseconds);
    }

    [Fact]
    public async Task The_forms_the_contract_accepts_are_accepted()
    {
        await using var app = await StartAppAsync();
        (string Name, string? ContentType, string Members)[] accepted =
        [
            ("application/json; charset=utf-8", "application/json; charset=utf-8", string.Empty),
            ("APPLICATION/JSON", "APPLICATION/JSON", string.Empty),
            ("application/merge-patch+json", "application/merge-patch+json", string.Empty),
            ("application/vnd.tianmu+json; charset=UTF-8", "application/vnd.tianmu+json; charset=UTF-8", string.Empty),
            ("no content type", null, string.Empty),
            ("null members count as absent", "application/json", ",\"scene\":null,\"from_code\":null,\"inviter\":null,\"ofp\":null"),
            ("unknown members are ignored", "application/json", ",\"extra\":{\"deep\":[1,2,{\"x\":null}]},\"APP_ID\":1"),
            ("scene 0", "application/json", ",\"scene\":0"),
            ("scene 99999", "application/json", ",\"scene\":99999"),
            ("scene \"00042\"", "application/json", ",\"scene\":\"00042\""),
            ("scene \"\"", "application/json", ",\"scene\":\"\""),
            ("limits exactly", "application/json", $",\"from_code\":\"{new string('f', 128)}\",\"ofp\":\"{new string('o', 256)}\""),
            ("an illegal inviter", "application/json", ",\"inviter\":\"a/b#c?d\""),
        ];

        foreach (var (name, contentType, members) in accepted)
        {
            var code = app.WeChat.NewCode("accepted-" + name.Length);
            var body = new ByteArrayContent(Encoding.UTF8.GetBytes($"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{code}\"{members}}}"));
            if (contentType is not null)
            {
                body.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/login") { Content = body };
            using var response = await app.SendAsync(request);

            Assert.True(200 == (int)response.StatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var padded = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{app.WeChat.NewCode("padded")}\"}}".PadRight(JsonBody.MaxBytes));
        Assert.Equal(200, (int)padded.StatusCode);
    }

    private static async Task<string?> CheckAsync(HttpResponseMessage response, CorpusCase expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (status != expected.Status)
        {
            return $"expected {expected.Status} {expected.Code}, got {status}: {body}";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"media type {response.Content.Headers.ContentType}";
        }

        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            if (root.GetProperty("code").GetString() != expected.Code || root.GetProperty("status").GetInt32() != status
                || string.IsNullOrEmpty(root.GetProperty("type").GetString()) || string.IsNullOrEmpty(root.GetProperty("title").GetString())
                || string.IsNullOrEmpty(root.GetProperty("detail").GetString()))
            {
                return "problem document " + body;
            }
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "not a problem document: " + body;
        }

        if (expected.Allow is not null && response.Content.Headers.Allow.Count == 0 && !response.Headers.TryGetValues("Allow", out _))
        {
            return "no Allow header";
        }

        if (expected.Allow is not null && string.Join(", ", response.Content.Headers.Allow) != expected.Allow)
        {
            return "Allow: " + string.Join(", ", response.Content.Headers.Allow);
        }

        if (status == 401 && response.Headers.WwwAuthenticate.ToString() != "Bearer error=\"invalid_token\"")
        {
            return "WWW-Authenticate: " + response.Headers.WwwAuthenticate;
        }

        return null;
    }
}
