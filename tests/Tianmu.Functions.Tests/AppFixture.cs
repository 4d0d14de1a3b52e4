using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Tianmu.Functions.Profiles;
using Tianmu.Testing;
using Tianmu.WeChat.Crypto;

[assembly: AssemblyFixture(typeof(Tianmu.Functions.Tests.AppFixture))]

namespace Tianmu.Functions.Tests;

/// <summary>
/// The one app fixture of the assembly: one Azurite and one WeChat stand-in for every test; each app a test starts
/// owns a fresh table, so tests run in parallel.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    public Azurite Azurite { get; private set; } = null!;

    public WeChatStandIn WeChat { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Azurite = await Azurite.StartAsync();
        WeChat = await WeChatStandIn.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await WeChat.DisposeAsync();
        await Azurite.DisposeAsync();
    }

    public static string NewTableName() => "t" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// Starts the app on a fresh table of <paramref name="storageConnectionString"/> (this fixture's Azurite by default),
    /// with optional setting overrides and services, recording every storage request in <paramref name="spy"/> when given.
    /// Outside Development the app does not create its table (docs/API.md, "Storage"): the fixture creates it first, as
    /// the deployment does.
    /// </summary>
    public async Task<AppUnderTest> StartAppAsync(
        IDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? configureServices = null,
        string? storageConnectionString = null,
        StorageSpy? spy = null,
        string? environment = null)
    {
        var table = NewTableName();
        var connection = storageConnectionString ?? Azurite.ConnectionString;
        if (environment != Microsoft.Extensions.Hosting.Environments.Development)
        {
            await new TableClient(connection, table).CreateIfNotExistsAsync();
        }

        var settings = TestHost.Settings(connection, WeChat.BaseUrl, table);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var host = await TestHost.StartAsync(settings, services =>
        {
            if (spy is not null)
            {
                services.AddSingleton(_ => spy.CreateTableClient(connection, table));
            }

            configureServices?.Invoke(services);
        }, environment);
        return new AppUnderTest(host, WeChat, new TableClient(Azurite.ConnectionString, table));
    }
}

/// <summary>A running app with helpers that speak the contract.</summary>
public sealed class AppUnderTest(TestHost host, WeChatStandIn weChat, TableClient table) : IAsyncDisposable
{
    public TestHost Host { get; } = host;

    public WeChatStandIn WeChat { get; } = weChat;

    public TableClient Table { get; } = table;

    public HttpClient Client => Host.Client;

    /// <summary>Every response body and header this app answered, for the secrets check.</summary>
    public ConcurrentQueue<string> Transcript { get; } = new();

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public async Task<HttpResponseMessage> PostAsync(string path, string json, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(json) };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return await SendAsync(request);
    }

    /// <summary>Sends a request through the app's client and records the answer in the transcript.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        var response = await Client.SendAsync(request);
        await RecordAsync(response);
        return response;
    }

    public async Task<HttpResponseMessage> LoginAsync(string user, string? extra = null, string appId = TestHost.AppId)
    {
        var code = WeChat.NewCode(user);
        return await PostAsync("/api/login", $"{{\"app_id\":\"{appId}\",\"code\":\"{code}\"{(extra is null ? string.Empty : "," + extra)}}}");
    }

    public async Task<JsonElement> LoginOkAsync(string user, string? extra = null, string appId = TestHost.AppId)
    {
        var response = await LoginAsync(user, extra, appId);
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>What the WeChat client would send for this user with their current session key.</summary>
    public string Seal(string user, string nickName, string appId = TestHost.AppId, string? sessionKey = null, string? openId = null, string avatarUrl = "https://thirdwx.qlogo.cn/mmopen/vi_32/real/132", int gender = 1, string city = "Guangzhou", string province = "Guangdong", string country = "China", string unionId = "", bool withRawData = true)
    {
        var key = sessionKey ?? WeChat.SessionKeyOf(user);
        var info = new Dictionary<string, object>
        {
            ["openId"] = openId ?? WeChatStandIn.OpenIdOf(user),
            ["nickName"] = nickName,
            ["gender"] = gender,
            ["language"] = "zh_CN",
            ["city"] = city,
            ["province"] = province,
            ["country"] = country,
            ["avatarUrl"] = avatarUrl,
            ["watermark"] = new Dictionary<string, object> { ["timestamp"] = 1_700_000_000, ["appid"] = appId },
        };
        if (unionId.Length > 0)
        {
            info["unionId"] = unionId;
        }

        var iv = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var encrypted = WeChatDataCrypto.Encrypt(JsonSerializer.SerializeToUtf8Bytes(info), key, iv);
        var rawData = JsonSerializer.Serialize(new { nickName, gender, avatarUrl });
        var body = new Dictionary<string, string> { ["encryptedData"] = encrypted, ["iv"] = iv };
        if (withRawData)
        {
            body["rawData"] = rawData;
            body["signature"] = WeChatDataCrypto.ComputeSignature(rawData, key);
        }

        return JsonSerializer.Serialize(body);
    }

    public async Task<ProfileEntity?> RowAsync(string user, string appId = TestHost.AppId, string? partitionKey = null)
    {
        var response = await Table.GetEntityIfExistsAsync<ProfileEntity>(partitionKey ?? appId, WeChatStandIn.OpenIdOf(user));
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Every row of the table, serialized, for byte-for-byte comparisons; empty when there is none.</summary>
    public async Task<string> DumpAsync()
    {
        var rows = new List<string>();
        try
        {
            await foreach (var entity in Table.QueryAsync<TableEntity>())
            {
                rows.Add(JsonSerializer.Serialize(entity.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value?.ToString())));
            }
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == 404)
        {
            return string.Empty;
        }

        rows.Sort(StringComparer.Ordinal);
        return string.Join('\n', rows);
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Records an answer (headers and body) for the secrets checks.</summary>
    public async Task RecordAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Transcript.Enqueue(string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(h => h.Key + ": " + string.Join(',', h.Value))) + "\n" + body);
    }
}

public static class ProblemAssert
{
    /// <summary>Asserts a problem document of the contract: status, media type, and the stable code.</summary>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        return problem;
    }
}
