using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Tianmu.Functions.Profiles;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Wallet;

/// <summary>docs/API.md "Wallet": the transaction route's rules and the player's paged ledger.</summary>
public sealed class WalletTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task A_credit_and_a_debit_change_the_balance_and_answer_the_transaction()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-basic");

        var credit = await app.TransactOkAsync("wallet-basic", 500, "order-20261130-000001", reason: "shop:gold-pack");
        var debit = await app.TransactOkAsync("wallet-basic", -120, "order-20261130-000002", reason: "shop:sword-3");

        Assert.Equal("order-20261130-000001", credit.GetProperty("transaction_id").GetString());
        Assert.Equal(WeChatStandIn.OpenIdOf("wallet-basic"), credit.GetProperty("open_id").GetString());
        Assert.Equal("gold", credit.GetProperty("currency").GetString());
        Assert.Equal(500, credit.GetProperty("delta").GetInt64());
        Assert.Equal("shop:gold-pack", credit.GetProperty("reason").GetString());
        Assert.Equal(500, credit.GetProperty("balance").GetInt64());
        Assert.False(credit.GetProperty("replayed").GetBoolean());
        Assert.InRange(credit.GetProperty("created_at").GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(380, debit.GetProperty("balance").GetInt64());
        var row = await app.RowAsync("wallet-basic");
        Assert.Equal(380, row!.Gold);
        Assert.Equal(0, row.Diamond);
        Assert.Equal(2, (await app.LedgerAsync("wallet-basic")).Count);
    }

    public static TheoryData<string, string> BadBodies() => new()
    {
        { "currency other than the two", """{"open_id":"OID","currency":"silver","delta":1,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "currency in capitals", """{"open_id":"OID","currency":"GOLD","delta":1,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "currency missing", """{"open_id":"OID","delta":1,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "delta 0", """{"open_id":"OID","currency":"gold","delta":0,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "delta a fraction", """{"open_id":"OID","currency":"gold","delta":1.5,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "delta with .0", """{"open_id":"OID","currency":"gold","delta":10.0,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "delta an exponent", """{"open_id":"OID","currency":"gold","delta":1e3,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "delta a string", """{"open_id":"OID","currency":"gold","delta":"10","reason":"r","idempotency_key":"key-00000001"}""" },
        { "delta past 1e9", """{"open_id":"OID","currency":"gold","delta":1000000001,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "delta past -1e9", """{"open_id":"OID","currency":"gold","delta":-1000000001,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "delta past 64 bits", """{"open_id":"OID","currency":"gold","delta":99999999999999999999,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "delta null", """{"open_id":"OID","currency":"gold","delta":null,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "reason empty", """{"open_id":"OID","currency":"gold","delta":1,"reason":"","idempotency_key":"key-00000001"}""" },
        { "reason too long", """{"open_id":"OID","currency":"gold","delta":1,"reason":"RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR","idempotency_key":"key-00000001"}""" },
        { "reason a number", """{"open_id":"OID","currency":"gold","delta":1,"reason":5,"idempotency_key":"key-00000001"}""" },
        { "key too short", """{"open_id":"OID","currency":"gold","delta":1,"reason":"r","idempotency_key":"key-001"}""" },
        { "key too long", """{"open_id":"OID","currency":"gold","delta":1,"reason":"r","idempotency_key":"KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK"}""" },
        { "key with a dot", """{"open_id":"OID","currency":"gold","delta":1,"reason":"r","idempotency_key":"order.00000001"}""" },
        { "key with a newline", """{"open_id":"OID","currency":"gold","delta":1,"reason":"r","idempotency_key":"key-00000001\n"}""" },
        { "key with a tilde", """{"open_id":"OID","currency":"gold","delta":1,"reason":"r","idempotency_key":"key~00000001"}""" },
        { "open_id out of pattern", """{"open_id":"bad/id","currency":"gold","delta":1,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "open_id with a newline", """{"open_id":"OID\n","currency":"gold","delta":1,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "open_id missing", """{"currency":"gold","delta":1,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "a member twice", """{"open_id":"OID","currency":"gold","delta":1,"delta":2,"reason":"r","idempotency_key":"key-00000001"}""" },
        { "not an object", """[1]""" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_body_that_breaks_a_rule_answers_400_invalid_request_and_changes_nothing(string rule, string body)
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-bad-input");
        await app.TransactOkAsync("wallet-bad-input", 50, "seed-00000001");
        var before = await app.DumpAsync();

        var response = await app.PostTransactionAsync(body.Replace("OID", WeChatStandIn.OpenIdOf("wallet-bad-input"), StringComparison.Ordinal));

        var problem = await ProblemAssert.IsProblemAsync(response, 400, "invalid_request");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()), rule);
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task The_limits_themselves_are_accepted()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-limits");
        Assert.Equal(1_000_000_000, (await app.TransactOkAsync("wallet-limits", 1_000_000_000, "k-------", reason: new string('r', 64))).GetProperty("balance").GetInt64());
        Assert.Equal(0, (await app.TransactOkAsync("wallet-limits", -1_000_000_000, new string('K', 64), reason: "x")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task A_replay_with_the_same_body_answers_the_first_answer_with_replayed_true_and_changes_nothing()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-replay");
        var first = await app.TransactOkAsync("wallet-replay", 80, "order-replay-1");
        await app.TransactOkAsync("wallet-replay", 5, "order-replay-2");
        var before = await app.DumpAsync();

        var again = await app.TransactOkAsync("wallet-replay", 80, "order-replay-1");

        Assert.True(again.GetProperty("replayed").GetBoolean());
        Assert.Equal(80, again.GetProperty("balance").GetInt64());
        Assert.Equal(first.GetProperty("created_at").GetInt64(), again.GetProperty("created_at").GetInt64());
        Assert.Equal(before, await app.DumpAsync());
    }

    [Theory]
    [InlineData("currency")]
    [InlineData("delta")]
    [InlineData("reason")]
    public async Task The_same_key_with_another_body_answers_409_idempotency_conflict_and_changes_nothing(string changed)
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-conflict");
        await app.TransactOkAsync("wallet-conflict", 80, "order-conflict-1", reason: "a");
        var before = await app.DumpAsync();

        var body = WalletRequests.Body(
            "wallet-conflict",
            changed == "delta" ? 81 : 80,
            "order-conflict-1",
            currency: changed == "currency" ? "diamond" : "gold",
            reason: changed == "reason" ? "b" : "a");
        await ProblemAssert.IsProblemAsync(await app.PostTransactionAsync(body), 409, "idempotency_conflict");
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task An_idempotency_key_is_unique_per_user_not_per_app()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-key-a");
        await app.LoginOkAsync("wallet-key-b");

        var a = await app.TransactOkAsync("wallet-key-a", 10, "shared-key-0001");
        var b = await app.TransactOkAsync("wallet-key-b", 20, "shared-key-0001");

        Assert.False(a.GetProperty("replayed").GetBoolean());
        Assert.False(b.GetProperty("replayed").GetBoolean());
        Assert.Equal(20, (await app.RowAsync("wallet-key-b"))!.Gold);
    }

    [Fact]
    public async Task A_debit_larger_than_the_balance_answers_409_insufficient_funds_and_changes_nothing()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-poor");
        await app.TransactOkAsync("wallet-poor", 100, "earn-00000001");
        await app.TransactOkAsync("wallet-poor", 7, "earn-00000002", currency: "diamond");
        var before = await app.DumpAsync();

        await ProblemAssert.IsProblemAsync(await app.PostTransactionAsync(WalletRequests.Body("wallet-poor", -101, "spend-0000001")), 409, "insufficient_funds");
        await ProblemAssert.IsProblemAsync(await app.PostTransactionAsync(WalletRequests.Body("wallet-poor", -8, "spend-0000002", currency: "diamond")), 409, "insufficient_funds");

        Assert.Equal(before, await app.DumpAsync());
        Assert.Equal(0, (await app.TransactOkAsync("wallet-poor", -100, "spend-0000001")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task A_credit_past_2_to_the_53_minus_1_answers_409_balance_limit_and_changes_nothing()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-rich");
        var row = (await app.RowAsync("wallet-rich"))!;
        row.Diamond = WalletLedger.MaxBalance - 5;
        await app.Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        var before = await app.DumpAsync();

        await ProblemAssert.IsProblemAsync(await app.PostTransactionAsync(WalletRequests.Body("wallet-rich", 6, "rich-00000001", currency: "diamond")), 409, "balance_limit");

        Assert.Equal(before, await app.DumpAsync());
        Assert.Equal(9_007_199_254_740_991, (await app.TransactOkAsync("wallet-rich", 5, "rich-00000001", currency: "diamond")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task A_user_without_a_profile_answers_404_unknown_user_and_nothing_is_written()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-someone", appId: TestHost.OtherAppId);
        var before = await app.DumpAsync();

        await ProblemAssert.IsProblemAsync(await app.PostTransactionAsync(WalletRequests.Body("wallet-nobody", 5, "ghost-00000001")), 404, "unknown_user");
        await ProblemAssert.IsProblemAsync(await app.PostTransactionAsync(WalletRequests.Body("wallet-someone", 5, "ghost-00000002")), 404, "unknown_user");

        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task The_wallet_reads_newest_first_50_a_page_with_a_cursor_until_next_is_null()
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync("wallet-pages")).GetProperty("jwt").GetString();
        for (var i = 1; i <= 120; i++)
        {
            await app.TransactOkAsync("wallet-pages", i, $"page-key-{i:000}", currency: i % 2 == 0 ? "gold" : "diamond");
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await app.WalletOkAsync(token, cursor);
            pages++;
            Assert.Equal(3660, page.GetProperty("gold").GetInt64());
            Assert.Equal(3600, page.GetProperty("diamond").GetInt64());
            var entries = page.GetProperty("transactions").EnumerateArray().ToList();
            Assert.True(entries.Count <= 50);
            Assert.All(entries, e => Assert.False(e.TryGetProperty("replayed", out _)));
            seen.AddRange(entries.Select(e => e.GetProperty("transaction_id").GetString()!));
            cursor = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(1, 120).Reverse().Select(i => $"page-key-{i:000}"), seen);
    }

    [Fact]
    public async Task A_wallet_without_transactions_reads_zero_balances_and_next_null()
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync("wallet-empty")).GetProperty("jwt").GetString();

        var response = await app.GetWalletAsync(token);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("""{"gold":0,"diamond":0,"transactions":[],"next":null}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_cursor_can_never_select_another_users_rows()
    {
        await using var app = await StartAppAsync();
        var alice = (await app.LoginOkAsync("cursor-alice")).GetProperty("jwt").GetString();
        var bob = (await app.LoginOkAsync("cursor-bob")).GetProperty("jwt").GetString();
        for (var i = 1; i <= 55; i++)
        {
            await app.TransactOkAsync("cursor-bob", 1, $"bob-key-{i:000}");
        }

        await app.TransactOkAsync("cursor-alice", 9, "alice-key-001");
        var bobsNext = (await app.WalletOkAsync(bob)).GetProperty("next").GetString();
        Assert.NotNull(bobsNext);

        // Bob's own cursor in Alice's hands reads Alice's ledger, and hand-made cursors that name Bob's rows are refused.
        var withBobsCursor = await app.WalletOkAsync(alice, bobsNext);
        Assert.All(withBobsCursor.GetProperty("transactions").EnumerateArray(), e => Assert.Equal(WeChatStandIn.OpenIdOf("cursor-alice"), e.GetProperty("open_id").GetString()));
        var bobsRowKey = (await app.LedgerAsync("cursor-bob"))[0].RowKey;
        foreach (var forged in new[] { B64(bobsRowKey), B64("~"), B64("0000000000000000000~"), B64(bobsRowKey[^19..] + "~"), bobsRowKey, "!!!", B64("000000000000000000") })
        {
            await ProblemAssert.IsProblemAsync(await app.GetWalletAsync(alice, forged), 400, "invalid_request");
        }

        var fromTheStart = await app.WalletOkAsync(alice, B64("0000000000000000000"));
        Assert.Equal("alice-key-001", Assert.Single(fromTheStart.GetProperty("transactions").EnumerateArray()).GetProperty("transaction_id").GetString());
        var pastTheEnd = await app.WalletOkAsync(alice, B64("9999999999999999999"));
        Assert.Empty(pastTheEnd.GetProperty("transactions").EnumerateArray());

        static string B64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    [Fact]
    public async Task The_wallet_needs_a_valid_bearer_token_and_a_server_key_is_not_one()
    {
        await using var app = await StartAppAsync();
        await ProblemAssert.IsProblemAsync(await app.GetWalletAsync(null), 401, "invalid_token");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/wallet");
        request.Headers.Add("X-Tianmu-Server-Key", TestHost.ServerKey);
        await ProblemAssert.IsProblemAsync(await app.SendAsync(request), 401, "invalid_token");
    }

    [Fact]
    public async Task A_login_and_transactions_at_the_same_moment_all_land()
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("wallet-login-race");

        var logins = Enumerable.Range(0, 8).Select(_ => app.LoginAsync("wallet-login-race"));
        var credits = Enumerable.Range(0, 16).Select(i => app.PostTransactionAsync(WalletRequests.Body("wallet-login-race", 10, $"race-key-{i:000}")));
        var answers = await Task.WhenAll(logins.Concat(credits));

        Assert.All(answers, a => Assert.Equal(200, (int)a.StatusCode));
        var row = (await app.RowAsync("wallet-login-race"))!;
        Assert.Equal(9, row.LoginTimes);
        Assert.Equal(160, row.Gold);
        Assert.Equal(16, row.WalletSequence);
    }
}
