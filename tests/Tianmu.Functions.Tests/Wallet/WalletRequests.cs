using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Tianmu.Functions.Profiles;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Wallet;

/// <summary>Requests of the server routes and the wallet, as a studio's server and a player send them.</summary>
public static class WalletRequests
{
    public static string TransactionsPath(string appId = TestHost.AppId) => $"/api/server/apps/{appId}/wallet/transactions";

    public static string Body(string user, long delta, string key, string currency = "gold", string reason = "test") =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["open_id"] = WeChatStandIn.OpenIdOf(user),
            ["currency"] = currency,
            ["delta"] = delta,
            ["reason"] = reason,
            ["idempotency_key"] = key,
        });

    /// <summary>Posts a raw body to the transactions route with a server key (the app's own unless given).</summary>
    public static async Task<HttpResponseMessage> PostTransactionAsync(this AppUnderTest app, string body, string? serverKey = TestHost.ServerKey, string appId = TestHost.AppId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TransactionsPath(appId)) { Content = AppUnderTest.Json(body) };
        if (serverKey is not null)
        {
            request.Headers.Add("X-Tianmu-Server-Key", serverKey);
        }

        return await app.SendAsync(request);
    }

    public static async Task<JsonElement> TransactOkAsync(this AppUnderTest app, string user, long delta, string key, string currency = "gold", string reason = "test")
    {
        var response = await app.PostTransactionAsync(Body(user, delta, key, currency, reason));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(200 == (int)response.StatusCode, text);
        return JsonDocument.Parse(text).RootElement;
    }

    public static async Task<HttpResponseMessage> GetWalletAsync(this AppUnderTest app, string? token, string? cursor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, cursor is null ? "/api/wallet" : "/api/wallet?cursor=" + Uri.EscapeDataString(cursor));
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return await app.SendAsync(request);
    }

    public static async Task<JsonElement> WalletOkAsync(this AppUnderTest app, string? token, string? cursor = null)
    {
        var response = await app.GetWalletAsync(token, cursor);
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<HttpResponseMessage> GetServerUserAsync(this AppUnderTest app, string openId, string? serverKey = TestHost.ServerKey, string appId = TestHost.AppId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/server/apps/{appId}/users/{openId}");
        if (serverKey is not null)
        {
            request.Headers.Add("X-Tianmu-Server-Key", serverKey);
        }

        return await app.SendAsync(request);
    }

    /// <summary>Every ledger row of a user (not the idempotency rows), in RowKey order (newest first).</summary>
    public static async Task<List<WalletEntryEntity>> LedgerAsync(this AppUnderTest app, string user, string appId = TestHost.AppId)
    {
        var prefix = WalletLedger.LedgerPrefix + WeChatStandIn.OpenIdOf(user) + "~";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {appId} and RowKey gt {prefix} and RowKey lt {prefix + "~"}");
        var rows = new List<WalletEntryEntity>();
        await foreach (var row in app.Table.QueryAsync<WalletEntryEntity>(filter))
        {
            rows.Add(row);
        }

        return rows;
    }
}
