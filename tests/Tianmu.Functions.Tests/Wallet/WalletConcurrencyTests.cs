using System.Diagnostics;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Profiles;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Wallet;

/// <summary>
/// The wallet's exactly-once guarantees on real Azurite (docs/API.md "Wallet", docs/RELIABILITY.md): concurrency,
/// replays, storage faults between the read and the write, and a model-based property.
/// </summary>
[Collection(WalletLoadGroup.Name)]
public sealed class WalletConcurrencyTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task A_hundred_concurrent_transactions_on_one_user_all_land_within_the_budget_and_the_ledger_holds_exactly_them()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-hundred");
        await app.TransactOkAsync("wallet-hundred", 1000, "seed-hundred-000");
        // Mixed credits and debits whose running balance can never fall below 0 in any order: debits total at most the seed.
        var deltas = Enumerable.Range(0, 100).Select(i => i % 3 == 0 ? -(i % 17 + 1) : i % 29 + 1).ToArray();
        Assert.True(deltas.Where(d => d < 0).Sum() > -1000);
        var clock = Stopwatch.StartNew();

        var answers = await Task.WhenAll(deltas.Select((delta, i) => app.PostTransactionAsync(WalletRequests.Body("wallet-hundred", delta, $"hundred-{i:000}"))));
        clock.Stop();

        Assert.All(answers, a => Assert.Equal(200, (int)a.StatusCode));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"100 transactions took {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(1000 + deltas.Sum(), (await app.RowAsync("wallet-hundred"))!.Gold);
        var ledger = await app.LedgerAsync("wallet-hundred");
        Assert.Equal(101, ledger.Count);
        Assert.Equal(100, ledger.Count(e => e.TransactionId.StartsWith("hundred-", StringComparison.Ordinal)));
        Assert.Equal(Enumerable.Range(1, 101).Reverse().Select(i => (long)i), ledger.Select(e => e.Sequence));
        Assert.All(ledger.Zip(ledger.Skip(1)), pair => Assert.Equal(pair.Second.Balance + pair.First.Delta, pair.First.Balance));
        Figures.Record("wallet", "100 concurrent transactions on one user, ms", clock.Elapsed.TotalMilliseconds);
    }

    [Fact]
    public async Task The_same_transaction_sent_20_times_at_once_is_applied_once_and_19_answers_are_replays_of_it()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-twenty");
        await app.TransactOkAsync("wallet-twenty", 40, "seed-twenty-0000");

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => app.PostTransactionAsync(WalletRequests.Body("wallet-twenty", 25, "same-order-0001"))));

        Assert.All(answers, a => Assert.Equal(200, (int)a.StatusCode));
        var bodies = await Task.WhenAll(answers.Select(async a => JsonDocument.Parse(await a.Content.ReadAsStringAsync()).RootElement));
        Assert.Equal(1, bodies.Count(b => !b.GetProperty("replayed").GetBoolean()));
        Assert.Equal(19, bodies.Count(b => b.GetProperty("replayed").GetBoolean()));
        Assert.All(bodies, b => Assert.Equal(65, b.GetProperty("balance").GetInt64()));
        Assert.Single(bodies.Select(b => b.GetProperty("created_at").GetInt64()).Distinct());
        Assert.Equal(65, (await app.RowAsync("wallet-twenty"))!.Gold);
        Assert.Equal(2, (await app.LedgerAsync("wallet-twenty")).Count);
    }

    [Fact]
    public async Task Debits_racing_credits_never_take_the_balance_below_0()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-race");

        var requests = Enumerable.Range(0, 40).Select(i => app.PostTransactionAsync(WalletRequests.Body("wallet-race", i % 2 == 0 ? 10 : -10, $"race-{i:0000}x")));
        var answers = await Task.WhenAll(requests);

        var applied = new List<long>();
        for (var i = 0; i < answers.Length; i++)
        {
            if ((int)answers[i].StatusCode == 200)
            {
                applied.Add(i % 2 == 0 ? 10 : -10);
            }
            else
            {
                Assert.Equal(1, i % 2);
                await ProblemAssert.IsProblemAsync(answers[i], 409, "insufficient_funds");
            }
        }

        Assert.Equal(20, applied.Count(d => d > 0));
        var ledger = await app.LedgerAsync("wallet-race");
        Assert.Equal(applied.Count, ledger.Count);
        Assert.All(ledger, e => Assert.True(e.Balance >= 0));
        Assert.Equal(applied.Sum(), (await app.RowAsync("wallet-race"))!.Gold);
    }

    [Fact]
    public async Task A_fault_before_the_write_changes_nothing_and_the_retry_applies_once()
    {
        await using var proxy = new FaultyTcpProxy(Fixture.Azurite.Port);
        var fault = new BatchFault(BatchFaultKind.RefuseBeforeSending, proxy);
        await using var app = await StartFaultyAppAsync(proxy, fault);
        await app.LoginOkAsync("wallet-fault-before");
        await app.TransactOkAsync("wallet-fault-before", 30, "seed-before-00");
        var before = await app.DumpAsync();

        fault.Arm();
        var failed = await app.PostTransactionAsync(WalletRequests.Body("wallet-fault-before", -12, "fault-before-1"));
        await ProblemAssert.IsProblemAsync(failed, 503, "upstream_unavailable");
        Assert.True(fault.Fired);
        Assert.Equal(before, await app.DumpAsync());

        var retry = await app.TransactOkAsync("wallet-fault-before", -12, "fault-before-1");
        var replay = await app.TransactOkAsync("wallet-fault-before", -12, "fault-before-1");
        Assert.False(retry.GetProperty("replayed").GetBoolean());
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(18, (await app.RowAsync("wallet-fault-before"))!.Gold);
        Assert.Equal(2, (await app.LedgerAsync("wallet-fault-before")).Count);
    }

    [Fact]
    public async Task A_fault_that_loses_the_answer_of_a_landed_write_applies_once_and_the_retry_answers_the_applied_result()
    {
        await using var proxy = new FaultyTcpProxy(Fixture.Azurite.Port);
        var fault = new BatchFault(BatchFaultKind.LoseAnswer, proxy);
        await using var app = await StartFaultyAppAsync(proxy, fault);
        await app.LoginOkAsync("wallet-fault-after");
        await app.TransactOkAsync("wallet-fault-after", 30, "seed-after-000");

        fault.Arm();
        var failed = await app.PostTransactionAsync(WalletRequests.Body("wallet-fault-after", 12, "fault-after-01"));
        await ProblemAssert.IsProblemAsync(failed, 503, "upstream_unavailable");
        Assert.True(fault.Fired);
        Assert.Equal(42, (await app.RowAsync("wallet-fault-after"))!.Gold);

        var retry = await app.TransactOkAsync("wallet-fault-after", 12, "fault-after-01");
        Assert.True(retry.GetProperty("replayed").GetBoolean());
        Assert.Equal(42, retry.GetProperty("balance").GetInt64());
        Assert.Equal(42, (await app.RowAsync("wallet-fault-after"))!.Gold);
        Assert.Equal(2, (await app.LedgerAsync("wallet-fault-after")).Count);
    }

    [Fact]
    public async Task Random_sequences_of_transactions_with_replays_and_conflicts_match_a_model()
    {
        await using var app = await StartAppAsync();
        var operations = Gen.ListOf(
            from kind in Gen.Frequency((6, Gen.Constant(0)), (2, Gen.Constant(1)), (1, Gen.Constant(2)))
            from currency in Gen.Elements("gold", "diamond")
            from delta in Gen.OneOf(Gen.Choose(1, 60), Gen.Choose(-60, -1))
            from reason in Gen.Elements("a", "b")
            from earlier in Gen.Choose(0, 1000)
            select new Operation(kind, currency, delta, reason, earlier)).Select(list => list.Take(10).ToArray());
        var user = 0;

        Prop.ForAll(operations.ToArbitrary(), ops => RunAgainstModelAsync(app, $"model-{Interlocked.Increment(ref user)}", ops).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(12).WithQuietOnSuccess(true));
    }

    private static async Task<bool> RunAgainstModelAsync(AppUnderTest app, string user, Operation[] operations)
    {
        await app.LoginOkAsync(user);
        var balances = new Dictionary<string, long> { ["gold"] = 0, ["diamond"] = 0 };
        var applied = new List<(string Key, string Currency, long Delta, string Reason, long Balance)>();
        for (var i = 0; i < operations.Length; i++)
        {
            var op = operations[i];
            // kind 0: a new key; 1: a replay of an earlier transaction; 2: an earlier key with another delta.
            var (key, currency, delta, reason) = op.Kind == 0 || applied.Count == 0
                ? ($"key-{user}-{i:00}", op.Currency, (long)op.Delta, op.Reason)
                : applied[op.Earlier % applied.Count] is var earlier && op.Kind == 1
                    ? (earlier.Key, earlier.Currency, earlier.Delta, earlier.Reason)
                    : (earlier.Key, earlier.Currency, earlier.Delta + 1, earlier.Reason);
            var response = await app.PostTransactionAsync(WalletRequests.Body(user, delta, key, currency, reason));
            var text = await response.Content.ReadAsStringAsync();
            var previous = applied.FindIndex(a => a.Key == key);
            if (previous >= 0)
            {
                var first = applied[previous];
                var same = first.Currency == currency && first.Delta == delta && first.Reason == reason;
                Assert.True((same ? 200 : 409) == (int)response.StatusCode, text);
                if (same)
                {
                    var answer = JsonDocument.Parse(text).RootElement;
                    Assert.True(answer.GetProperty("replayed").GetBoolean());
                    Assert.Equal(first.Balance, answer.GetProperty("balance").GetInt64());
                }
                else
                {
                    Assert.Contains("idempotency_conflict", text, StringComparison.Ordinal);
                }
            }
            else if (balances[currency] + delta < 0)
            {
                Assert.True(409 == (int)response.StatusCode && text.Contains("insufficient_funds", StringComparison.Ordinal), text);
            }
            else
            {
                balances[currency] += delta;
                applied.Add((key, currency, delta, reason, balances[currency]));
                Assert.True(200 == (int)response.StatusCode, text);
                Assert.Equal(balances[currency], JsonDocument.Parse(text).RootElement.GetProperty("balance").GetInt64());
            }
        }

        var row = (await app.RowAsync(user))!;
        Assert.Equal(balances["gold"], row.Gold);
        Assert.Equal(balances["diamond"], row.Diamond);
        var ledger = await app.LedgerAsync(user);
        Assert.Equal(applied.Select(a => a.Key).Reverse(), ledger.Select(e => e.TransactionId));
        Assert.Equal(applied.Select(a => a.Balance).Reverse(), ledger.Select(e => e.Balance));
        return true;
    }

    private async Task<AppUnderTest> StartFaultyAppAsync(FaultyTcpProxy proxy, BatchFault fault)
    {
        var connection = Fixture.Azurite.ConnectionString.Replace($":{Fixture.Azurite.Port}/", $":{proxy.Port}/", StringComparison.Ordinal);
        return await StartAppAsync(
            storageConnectionString: connection,
            configureServices: services => services.AddSingleton(sp =>
            {
                var options = new TableClientOptions();
                options.Retry.MaxRetries = 0;
                options.AddPolicy(fault, HttpPipelinePosition.PerCall);
                return new TableClient(connection, sp.GetRequiredService<IOptions<StorageOptions>>().Value.TableName, options);
            }));
    }

    public sealed record Operation(int Kind, string Currency, int Delta, string Reason, int Earlier);

    private enum BatchFaultKind
    {
        RefuseBeforeSending,
        LoseAnswer,
    }

    // Fails the first entity-group transaction after Arm(), between the read and the write: either storage refuses the
    // connection before the batch reaches it (through the proxy), or the batch lands and its answer is lost.
    private sealed class BatchFault(BatchFaultKind kind, FaultyTcpProxy proxy) : HttpPipelinePolicy
    {
        private int _armed;

        public bool Fired { get; private set; }

        public void Arm() => Interlocked.Exchange(ref _armed, 1);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var isBatch = message.Request.Method == RequestMethod.Post && message.Request.Uri.ToString().Contains("$batch", StringComparison.Ordinal);
            if (!isBatch || Interlocked.Exchange(ref _armed, 0) == 0)
            {
                await ProcessNextAsync(message, pipeline);
                return;
            }

            Fired = true;
            if (kind == BatchFaultKind.RefuseBeforeSending)
            {
                proxy.Mode = ProxyMode.Refuse;
                try
                {
                    await ProcessNextAsync(message, pipeline);
                }
                finally
                {
                    proxy.Mode = ProxyMode.Forward;
                }

                return;
            }

            await ProcessNextAsync(message, pipeline);
            throw new IOException("The answer of the entity-group transaction was lost (injected).");
        }
    }
}

/// <summary>
/// The wallet's load tests run on their own, after the parallel tests: a hundred transactions at once on the shared
/// Azurite would otherwise slow other tests' storage calls past their budgets (and be slowed by them).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WalletLoadGroup
{
    public const string Name = "wallet load";
}
