using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Profiles;
using Tianmu.LocalHost.Simulator;

namespace Tianmu.LoadTest;

/// <summary>
/// The end-to-end load and the overhead ratio, in one run: the local host (a child process, Release build, WeChat
/// simulator in the same process) on its own in-memory Azurite; then, against the same Azurite with a TableClient
/// configured like the app's, the bare storage work one request needs.
/// </summary>
internal static class LoadRun
{
    /// <summary>The app id of the bare rows' partition keys: as long as the host's, so rows are the same size.</summary>
    private const string BareAppId = "wxbarebaseline0001";

    public static async Task<LoadReport> RunAsync(RunOptions options, TextWriter log)
    {
        var hostDll = Path.GetFullPath(options.HostPath ?? Repository.DefaultHost);
        await using var azurite = await AzuriteProcess.StartAsync().ConfigureAwait(false);
        await using var host = HostProcess.Start(hostDll, azurite, "profiles", options.Buckets);
        using var http = NewClient(host.BaseUrl, options.Concurrency.Max());
        await WaitHealthyAsync(http, "/api/health", () => host.HasExited, host.LogFile).ConfigureAwait(false);
        log.WriteLine($"host {hostDll} (pid {host.Pid}, buckets {options.Buckets}), Azurite on port {azurite.Port}; log in {host.LogFile}");

        using var bareProcess = BareServer.Start(azurite, out var bareUrl);
        using var bare = NewClient(bareUrl, options.Concurrency.Max());
        await WaitHealthyAsync(bare, "/health", () => bareProcess.HasExited, "the bare server").ConfigureAwait(false);

        var table = NewTableClient(azurite.ConnectionString, "bare");
        await table.CreateIfNotExistsAsync().ConfigureAwait(false);

        // The bare rows are keyed like the app's: the same partition scheme (one partition for every user of the app,
        // or the same buckets), kept across rounds, and open ids as row keys. Azurite's cost per operation grows with
        // the partition, so a bare baseline in small fresh partitions would flatter storage and inflate the ratio.
        var keys = new ProfileKeys(Options.Create(new StorageOptions { PartitionBuckets = options.Buckets }));
        var results = new List<PhaseResult>();
        foreach (var concurrency in options.Concurrency)
        {
            // Warm-up at this concurrency on users of its own: JIT, connection pools, Azurite's tables.
            await RunRoundAsync(http, bare, table, keys, $"w{concurrency}", options.Warmup, concurrency, _ => { }).ConfigureAwait(false);
            await RunRoundAsync(http, bare, table, keys, $"c{concurrency}", options.Requests, concurrency, result =>
            {
                results.Add(result);
                log.WriteLine($"  c={result.Concurrency,-3} {result.Name,-40} n={result.Count} {result.Throughput,8:F0}/s p50 {result.P50,7:F2} ms p99 {result.P99,7:F2} ms errors {result.Errors}{(result.FirstError is null ? "" : " first: " + result.FirstError)}");
            }).ConfigureAwait(false);
        }

        using (var stats = await http.GetAsync("/simulator/stats").ConfigureAwait(false))
        {
            log.WriteLine($"access-token fetches (stable_token) over the whole run, every profile update of every round included: {await stats.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }

        var memory = Repository.Memory(host.Pid);
        var azuriteMemory = Repository.Memory(azurite.Pid);
        return new LoadReport(options.Buckets, results, memory.PeakMiB, memory.CurrentMiB, azuriteMemory.PeakMiB);
    }

    private static async Task RunRoundAsync(
        HttpClient http, HttpClient bare, TableClient table, ProfileKeys keys, string prefix, int count, int concurrency, Action<PhaseResult> report)
    {
        var codes = Enumerable.Range(0, count).Select(i => $"test-{prefix}-u{i}").ToArray();
        var openIds = codes.Select(code => WeChatSimulator.OpenIdOf(BareAppId, code[WeChatSimulator.TestCodePrefix.Length..])).ToArray();
        var partitions = openIds.Select(openId => keys.PartitionKey(BareAppId, openId)).ToArray();
        var jwts = new string[count];

        // Each request of the app runs interleaved with the bare storage work it needs (same workers, same index
        // generator, alternating order), so that whatever else the machine does moves both alike: a new user's login
        // beside a point read that misses and an insert; a returning login and an updateUserInfo beside a point read
        // and a replace conditional on its ETag.
        foreach (var result in await Phase.RunInterleavedAsync(
            [Names.NewLogin, Names.BareInsert], count, concurrency,
            [i => LoginAsync(http, codes[i], expectNew: true, jwts, i), i => BareInsertAsync(table, partitions[i], openIds[i], i)]).ConfigureAwait(false))
        {
            report(result);
        }

        foreach (var result in await Phase.RunInterleavedAsync(
            [Names.ReturningLogin, Names.BareReplace], count, concurrency,
            [i => LoginAsync(http, codes[i], expectNew: false, jwts, i), i => BareReplaceAsync(table, partitions[i], openIds[i])]).ConfigureAwait(false))
        {
            report(result);
        }

        // Beats inside the minimum interval: one read, nothing written.
        await PlayLoad.EarlyBeatsAsync(http, table, jwts, partitions, openIds, count, concurrency, report).ConfigureAwait(false);
        var sessionsStarted = DateTime.UtcNow;

        // Sealed with each user's latest session key, before the timed phase (as the WeChat client would hand it over).
        var sealedBodies = new byte[count][];
        var sealing = await Phase.RunAsync("seal", count, concurrency, async i =>
        {
            using var content = Json(new Dictionary<string, object>
            {
                ["app_id"] = HostProcess.AppId,
                ["code"] = codes[i],
                ["nickName"] = $"玩家{i}号",
                ["avatarUrl"] = "https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTKXg6ibHkFicGmYxb8tB2pRSfQxVhy2ibF/132",
                ["gender"] = 1 + (i % 2),
                ["city"] = "广州",
                ["province"] = "广东",
                ["country"] = "中国",
                ["language"] = "zh_CN",
            });
            using var response = await http.PostAsync("/simulator/userinfo", content).ConfigureAwait(false);
            sealedBodies[i] = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"seal: {(int)response.StatusCode}";
        }).ConfigureAwait(false);
        if (sealing.Errors > 0)
        {
            throw new InvalidOperationException($"Sealing user info failed: {sealing.FirstError}");
        }

        foreach (var result in await Phase.RunInterleavedAsync(
            [Names.UpdateUserInfo, Names.BareReplaceBesideUpdate], count, concurrency,
            [
                async i =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/updateUserInfo") { Content = new ByteArrayContent(sealedBodies[i]) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwts[i]);
                    using var response = await http.SendAsync(request).ConfigureAwait(false);
                    var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {Truncate(body)}";
                },
                i => BareReplaceAsync(table, partitions[i], openIds[i]),
            ]).ConfigureAwait(false))
        {
            report(result);
        }

        // The WeChat leg alone: the simulator's jscode2session, served by the same host, over the same loopback.
        report(await Phase.RunAsync(Names.WeChatLeg, count, concurrency, async i =>
        {
            var url = $"/sns/jscode2session?appid={HostProcess.AppId}&secret={HostProcess.AppSecret}&js_code={codes[i]}&grant_type=authorization_code";
            using var response = await http.GetAsync(url).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            return response.IsSuccessStatusCode && body.Contains("session_key", StringComparison.Ordinal) ? null : $"{(int)response.StatusCode} {Truncate(body)}";
        }).ConfigureAwait(false));

        // Wallet transactions (new keys, then replays), each interleaved with the bare storage work it needs.
        var hostOpenIds = codes.Select(code => WeChatSimulator.OpenIdOf(HostProcess.AppId, code[WeChatSimulator.TestCodePrefix.Length..])).ToArray();
        foreach (var result in await WalletLoad.RunAsync(http, table, hostOpenIds, partitions, openIds, prefix, count, concurrency).ConfigureAwait(false))
        {
            report(result);
        }

        // Mini-program profile updates (token, a read, WeChat's msg_sec_check through the simulator, a conditional
        // write), interleaved with the bare read + conditional replace; the access token is fetched once per app.
        foreach (var result in await Phase.RunInterleavedAsync(
            [Names.ProfileUpdate, Names.BareReplaceBesideProfile], count, concurrency,
            [
                async i =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/profile")
                    {
                        Content = Json(new Dictionary<string, object> { ["nick_name"] = $"玩家{i % 1000}", ["gender"] = 1 + (i % 2) }),
                    };
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwts[i]);
                    using var response = await http.SendAsync(request).ConfigureAwait(false);
                    var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {Truncate(body)}";
                },
                i => BareReplaceAsync(table, partitions[i], openIds[i]),
            ]).ConfigureAwait(false))
        {
            report(result);
        }

        // The same storage work behind a bare HTTP endpoint in its own process: the floor of any HTTP service here.
        report(await Phase.RunAsync(Names.BareHttpInsert, count, concurrency, i => PostAsync(bare, $"/bare/insert/{partitions[i]}/{openIds[i]}")).ConfigureAwait(false));
        report(await Phase.RunAsync(Names.BareHttpReplace, count, concurrency, i => PostAsync(bare, $"/bare/replace/{partitions[i]}/{openIds[i]}")).ConfigureAwait(false));

        // Token refresh (token validation, a point read of the profile, an ES256 issue), interleaved with its bare
        // storage work (the same point read) from the same workers.
        var (refresh, read) = await Phase.RunInterleavedAsync(Names.TokenRefresh, Names.BareReadBesideRefresh, count, concurrency, async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/token/refresh");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwts[i]);
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            return response.IsSuccessStatusCode && body.Contains("\"jwt\"", StringComparison.Ordinal) ? null : $"{(int)response.StatusCode} {Truncate(body)}";
        },
        async i =>
        {
            var row = await table.GetEntityIfExistsAsync<ProfileEntity>(partitions[i], openIds[i]).ConfigureAwait(false);
            return row.HasValue ? null : "row missing";
        }).ConfigureAwait(false);
        report(refresh);
        report(read);
        // Credited beats once every session of this round is older than the minimum interval; then share reports.
        var wait = sessionsStarted + PlayLoad.MinInterval + TimeSpan.FromSeconds(1) - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait).ConfigureAwait(false);
        }

        await PlayLoad.CreditedBeatsAndSharesAsync(http, table, jwts, partitions, openIds, prefix, count, concurrency, report).ConfigureAwait(false);
    }

    // The bare storage work of a new user's login: a point read that misses, then an insert.
    private static async Task<string?> BareInsertAsync(TableClient table, string partition, string openId, int i)
    {
        var missing = await table.GetEntityIfExistsAsync<ProfileEntity>(partition, openId).ConfigureAwait(false);
        if (missing.HasValue)
        {
            return "row exists";
        }

        await table.AddEntityAsync(SampleProfile(partition, openId, i)).ConfigureAwait(false);
        return null;
    }

    // The bare storage work of a returning login or an updateUserInfo: a point read, then a replace conditional on its ETag.
    private static async Task<string?> BareReplaceAsync(TableClient table, string partition, string openId)
    {
        var entity = (await table.GetEntityAsync<ProfileEntity>(partition, openId).ConfigureAwait(false)).Value;
        entity.LoginTimes++;
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace).ConfigureAwait(false);
        return null;
    }

    private static async Task<string?> PostAsync(HttpClient http, string path)
    {
        using var response = await http.PostAsync(path, null).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode}";
    }

    private static async Task<string?> LoginAsync(HttpClient http, string code, bool expectNew, string[] jwts, int i)
    {
        using var content = Json(new Dictionary<string, object> { ["app_id"] = HostProcess.AppId, ["code"] = code, ["scene"] = 1044 });
        using var response = await http.PostAsync("/api/login", content).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return $"{(int)response.StatusCode} {Truncate(Encoding.UTF8.GetString(body))}";
        }

        using var document = JsonDocument.Parse(body);
        if (document.RootElement.GetProperty("is_new").GetBoolean() != expectNew)
        {
            return $"is_new was {!expectNew}";
        }

        jwts[i] = document.RootElement.GetProperty("jwt").GetString()!;
        return null;
    }

    /// <summary>A profile as a login and the user-info button leave it: the size of a real row.</summary>
    public static ProfileEntity SampleProfile(string partition, string openId, int i) => new()
    {
        PartitionKey = partition,
        RowKey = openId,
        AppId = HostProcess.AppId,
        OpenId = openId,
        UnionId = "ocMvos6NjeKLIBqg5Mr9QjxrP1FA",
        Pid = Pid.Compute(HostProcess.AppId, openId, ""),
        NickName = $"玩家{i}号",
        AvatarUrl = "https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTKXg6ibHkFicGmYxb8tB2pRSfQxVhy2ibF/132",
        Gender = 1,
        City = "广州",
        Province = "广东",
        Country = "中国",
        Language = "zh_CN",
        OnlineDays = 1,
        LoginTimes = 1,
        LastLoginTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        FromScene = "1044",
        LoginProvince = "广东省",
        LoginCity = "广州市",
        SessionKey = "YRs2RSWYN1xR9jx7bcr55Q==",
        SessionKeyIssuedAt = DateTimeOffset.UtcNow,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>The same client settings as the app's own.</summary>
    public static TableClient NewTableClient(string connectionString, string tableName) =>
        new TableServiceClient(connectionString, ProfileStore.CreateClientOptions()).GetTableClient(tableName);

    public static HttpClient NewClient(Uri baseUrl, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };

    public static StringContent Json(Dictionary<string, object> body) =>
        new(JsonSerializer.Serialize(body, LoadTestJson.Default.DictionaryStringObject), Encoding.UTF8, "application/json");

    private static async Task WaitHealthyAsync(HttpClient http, string path, Func<bool> exited, string where)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (exited())
            {
                throw new InvalidOperationException($"The server exited; see {where}.");
            }

            try
            {
                using var response = await http.GetAsync(path).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"No answer from {path} within 60 s; see {where}.");
    }

    private static string Truncate(string body) => body.Length <= 200 ? body : body[..200];
}

internal static class Names
{
    public const string NewLogin = "login, new user";
    public const string ReturningLogin = "login, returning user";
    public const string UpdateUserInfo = "updateUserInfo";
    public const string WeChatLeg = "jscode2session (simulator, same host)";
    public const string BareInsert = "bare storage: read (miss) + insert";
    public const string BareReplace = "bare storage: read + conditional replace";
    public const string BareReplaceBesideUpdate = "bare storage: read + conditional replace (beside updateUserInfo)";
    public const string ProfileUpdate = "profile update (POST /api/profile, msg_sec_check)";
    public const string BareReplaceBesideProfile = "bare storage: read + conditional replace (beside profile updates)";
    public const string BareHttpInsert = "bare HTTP endpoint: read (miss) + insert";
    public const string BareHttpReplace = "bare HTTP endpoint: read + conditional replace";
    public const string EarlyBeat = "heartbeat inside the minimum interval";
    public const string BareRead = "bare storage: read (interleaved with early beats)";
    public const string CreditedBeat = "heartbeat, credited";
    public const string BareBeat = "bare storage: read + conditional replace (interleaved with credited beats)";
    public const string Share = "share report";
    public const string BareShare = "bare storage: read + transaction of report row and profile (interleaved with shares)";
    public const string TokenRefresh = "token refresh";
    public const string BareReadBesideRefresh = "bare storage: point read (interleaved with token refresh)";
}

internal sealed record LoadReport(int Buckets, IReadOnlyList<PhaseResult> Phases, double HostPeakMiB, double HostCurrentMiB, double AzuritePeakMiB)
{
    public PhaseResult Get(string name, int concurrency) => Phases.Single(p => p.Name == name && p.Concurrency == concurrency);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class LoadTestJson : System.Text.Json.Serialization.JsonSerializerContext;
