using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Tianmu.Functions.Profiles;

namespace Tianmu.LoadTest;

/// <summary>
/// Wallet transactions under load, each request interleaved with the bare storage work it needs (alternating
/// operations of one generator, so a busy neighbour moves both alike): a new key against two point reads (the
/// idempotency row misses) and an entity-group transaction (profile replace on its ETag + two adds); a replay against
/// the same two point reads.
/// </summary>
internal static class WalletLoad
{
    public const string NewKey = "wallet transaction, new key";
    public const string BareNewKey = "bare storage: 2 reads + entity-group transaction";
    public const string Replay = "wallet transaction, replay";
    public const string BareReplay = "bare storage: 2 reads (replay)";

    /// <summary>Each Tianmu phase and its bare baseline.</summary>
    public static IReadOnlyList<(string Tianmu, string Bare)> Pairs { get; } = [(NewKey, BareNewKey), (Replay, BareReplay)];

    public static async Task<IReadOnlyList<PhaseResult>> RunAsync(
        HttpClient http, TableClient table, string[] hostOpenIds, string[] barePartitions, string[] bareOpenIds, string prefix, int count, int concurrency)
    {
        var results = new List<PhaseResult>();
        results.AddRange(await InterleavedAsync(NewKey, BareNewKey, count, concurrency,
            i => TransactAsync(http, hostOpenIds[i], $"load-{prefix}-{i:000000}"),
            async i =>
            {
                var keyRow = WalletLedger.KeyRowKey(bareOpenIds[i], $"load-{prefix}-{i:000000}");
                var existing = table.GetEntityIfExistsAsync<WalletEntryEntity>(barePartitions[i], keyRow);
                var read = table.GetEntityAsync<ProfileEntity>(barePartitions[i], bareOpenIds[i]);
                await Task.WhenAll(existing, read).ConfigureAwait(false);
                if ((await existing.ConfigureAwait(false)).HasValue)
                {
                    return "key row exists";
                }

                var profile = (await read.ConfigureAwait(false)).Value;
                profile.Gold += 10;
                profile.WalletSequence++;
                var entry = new WalletEntryEntity
                {
                    PartitionKey = barePartitions[i],
                    RowKey = keyRow,
                    OpenId = bareOpenIds[i],
                    TransactionId = $"load-{prefix}-{i:000000}",
                    Currency = "gold",
                    Delta = 10,
                    Reason = "load:purchase",
                    Balance = profile.Gold,
                    CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                    Sequence = profile.WalletSequence,
                };
                TableTransactionAction[] actions =
                [
                    new(TableTransactionActionType.UpdateReplace, profile, profile.ETag),
                    new(TableTransactionActionType.Add, entry),
                    new(TableTransactionActionType.Add, entry.WithRowKey(WalletLedger.LedgerRowKey(bareOpenIds[i], profile.WalletSequence))),
                ];
                await table.SubmitTransactionAsync(actions).ConfigureAwait(false);
                return null;
            }).ConfigureAwait(false));
        results.AddRange(await InterleavedAsync(Replay, BareReplay, count, concurrency,
            i => TransactAsync(http, hostOpenIds[i], $"load-{prefix}-{i:000000}", expectReplay: true),
            async i =>
            {
                var existing = table.GetEntityIfExistsAsync<WalletEntryEntity>(barePartitions[i], WalletLedger.KeyRowKey(bareOpenIds[i], $"load-{prefix}-{i:000000}"));
                var read = table.GetEntityAsync<ProfileEntity>(barePartitions[i], bareOpenIds[i]);
                await Task.WhenAll(existing, read).ConfigureAwait(false);
                return (await existing.ConfigureAwait(false)).HasValue ? null : "key row missing";
            }).ConfigureAwait(false));
        return results;
    }

    private static async Task<string?> TransactAsync(HttpClient http, string openId, string key, bool expectReplay = false)
    {
        var body = $$"""{"open_id":"{{openId}}","currency":"gold","delta":10,"reason":"load:purchase","idempotency_key":"{{key}}"}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/server/apps/{HostProcess.AppId}/wallet/transactions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Tianmu-Server-Key", HostProcess.ServerKey);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return $"{(int)response.StatusCode} {(text.Length > 200 ? text[..200] : text)}";
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("replayed").GetBoolean() == expectReplay ? null : $"replayed was {!expectReplay}";
    }

    // One generator, interleaved: the Tianmu request of user i and its bare storage work (Phase.RunInterleavedAsync).
    private static Task<PhaseResult[]> InterleavedAsync(
        string tianmuName, string bareName, int count, int concurrency, Func<int, Task<string?>> tianmu, Func<int, Task<string?>> bare) =>
        Phase.RunInterleavedAsync([tianmuName, bareName], count, concurrency, [tianmu, bare]);
}
