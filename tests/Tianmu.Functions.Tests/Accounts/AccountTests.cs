using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tianmu.Functions.Profiles;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Accounts;

/// <summary>docs/API.md, "GET /api/account/export" and "DELETE /api/account", over HTTP on Azurite.</summary>
public sealed class AccountTests(AppFixture fixture) : AppTest(fixture)
{
    private static async Task<HttpResponseMessage> SendAsync(AppUnderTest app, HttpMethod method, string path, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return await app.SendAsync(request);
    }

    private static Task<HttpResponseMessage> ExportAsync(AppUnderTest app, string? token) => SendAsync(app, HttpMethod.Get, "/api/account/export", token);

    private static Task<HttpResponseMessage> DeleteAsync(AppUnderTest app, string? token) => SendAsync(app, HttpMethod.Delete, "/api/account", token);

    private static async Task<string> TokenOfAsync(AppUnderTest app, string user, string? extra = null) =>
        (await app.LoginOkAsync(user, extra)).GetProperty("jwt").GetString()!;

    // Rows of other features, written as their features write them (the convention of UserRowKind).
    private static async Task SeedRowsAsync(AppUnderTest app, string openId, int ledgerEntries = 2)
    {
        for (var i = 0; i < ledgerEntries; i++)
        {
            await app.Table.AddEntityAsync(new TableEntity(TestHost.AppId, UserRowKinds.Wallet.RowKey(openId, $"order-{i:0000}"))
            {
                ["Currency"] = "gold",
                ["Delta"] = 100L + i,
                ["Reason"] = "shop:sword-3",
                ["Balance"] = 100L + i,
                ["CreatedAt"] = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000 + i),
            });
        }

        await app.Table.AddEntityAsync(new TableEntity(TestHost.AppId, UserRowKinds.Share.RowKey(openId, "share-abcdef01"))
        {
            ["Scene"] = "level-3",
            ["ReportedAt"] = DateTimeOffset.FromUnixTimeSeconds(1_790_000_100),
        });
    }

    private static async Task<List<TableEntity>> RowsAsync(AppUnderTest app) =>
        await app.Table.QueryAsync<TableEntity>().ToListAsync();

    [Fact]
    public async Task Export_holds_the_profile_wallet_entries_and_shares_and_never_the_session_key()
    {
        await using var app = await StartAppAsync();
        var token = await TokenOfAsync(app, "ann");
        var openId = WeChatStandIn.OpenIdOf("ann");
        await app.UpdateUserInfoAsync(app.Seal("ann", "安妮"), token);
        await SeedRowsAsync(app, openId);

        var response = await ExportAsync(app, token);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(app.WeChat.SessionKeyOf("ann"), body, StringComparison.Ordinal);
        Assert.DoesNotContain("session", body, StringComparison.OrdinalIgnoreCase);
        var export = JsonDocument.Parse(body).RootElement;
        var profile = export.GetProperty("profile");
        Assert.Equal("安妮", profile.GetProperty("nick_name").GetString());
        Assert.Equal(openId, profile.GetProperty("open_id").GetString());
        Assert.False(profile.TryGetProperty("jwt", out _));
        Assert.False(profile.TryGetProperty("is_new", out _));
        var row = await app.RowAsync("ann");
        Assert.Equal(row!.CreatedAt!.Value.ToUnixTimeSeconds(), export.GetProperty("created_at").GetInt64());
        Assert.InRange(export.GetProperty("exported_at").GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        var ledger = export.GetProperty("wallet_transactions").EnumerateArray().ToList();
        Assert.Equal(2, ledger.Count);
        Assert.Equal("order-0000", ledger[0].GetProperty("transaction_id").GetString());
        Assert.Equal("gold", ledger[0].GetProperty("currency").GetString());
        Assert.Equal(101, ledger[1].GetProperty("delta").GetInt64());
        Assert.Equal("shop:sword-3", ledger[1].GetProperty("reason").GetString());
        Assert.Equal(1_790_000_001, ledger[1].GetProperty("created_at").GetInt64());
        var share = Assert.Single(export.GetProperty("shares").EnumerateArray().ToList());
        Assert.Equal("share-abcdef01", share.GetProperty("share_id").GetString());
        Assert.Equal("level-3", share.GetProperty("scene").GetString());
        Assert.Equal(1_790_000_100, share.GetProperty("reported_at").GetInt64());
    }

    [Fact]
    public async Task Export_holds_no_row_of_a_user_whose_open_id_extends_the_callers()
    {
        await using var app = await StartAppAsync();
        var token = await TokenOfAsync(app, "ben");
        await SeedRowsAsync(app, WeChatStandIn.OpenIdOf("ben") + "x");

        var export = await (await ExportAsync(app, token)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Empty(export.GetProperty("wallet_transactions").EnumerateArray());
        Assert.Empty(export.GetProperty("shares").EnumerateArray());
    }

    [Fact]
    public async Task Export_and_delete_without_a_valid_token_are_401()
    {
        await using var app = await StartAppAsync();

        await ProblemAssert.IsProblemAsync(await ExportAsync(app, null), 401, "invalid_token");
        await ProblemAssert.IsProblemAsync(await DeleteAsync(app, "not.a.token"), 401, "invalid_token");
        await ProblemAssert.IsProblemAsync(await SendAsync(app, HttpMethod.Post, "/api/account", null), 405, "method_not_allowed");
    }

    [Fact]
    public async Task Delete_removes_every_row_of_the_user_and_leaves_a_tombstone_without_the_open_id()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Storage:PartitionBuckets"] = "1" });
        var openId = WeChatStandIn.OpenIdOf("cat");
        await TokenOfAsync(app, "inviter-of-cat");
        var token = await TokenOfAsync(app, "cat", $"\"inviter\":\"{WeChatStandIn.OpenIdOf("inviter-of-cat")}\"");
        await SeedRowsAsync(app, openId);
        await TokenOfAsync(app, "dan");
        await SeedRowsAsync(app, WeChatStandIn.OpenIdOf("dan"));
        await SeedRowsAsync(app, openId + "x");
        var others = (await RowsAsync(app)).Where(row => !row.RowKey.Contains(openId, StringComparison.Ordinal) || row.RowKey.Contains(openId + "x", StringComparison.Ordinal))
            .Select(row => row.RowKey).Order(StringComparer.Ordinal).ToList();

        var response = await DeleteAsync(app, token);

        Assert.Equal(204, (int)response.StatusCode);
        var rows = await RowsAsync(app);
        Assert.DoesNotContain(rows, row => row.RowKey == openId || row.RowKey.StartsWith('~') && row.RowKey.Contains(openId + "~", StringComparison.Ordinal));
        var tombstone = Assert.Single(rows, row => row.RowKey.StartsWith(AccountTombstones.Prefix, StringComparison.Ordinal));
        Assert.Equal(AccountTombstones.Prefix + AccountTombstones.HashOf(openId), tombstone.RowKey);
        string[] system = ["PartitionKey", "RowKey", "Timestamp", "odata.etag"];
        Assert.Equal(["AppId", "DeletedAt", "OpenIdSha256"], tombstone.Select(p => p.Key).Except(system).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(openId, string.Join('|', tombstone.Select(p => p.Value)), StringComparison.Ordinal);
        Assert.Equal(TestHost.AppId, tombstone["AppId"]);
        Assert.Equal(others, rows.Where(row => row != tombstone).Select(row => row.RowKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Delete_removes_the_inviter_marker_naming_the_user_in_another_partition()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Storage:PartitionBuckets"] = "16" });
        var openId = WeChatStandIn.OpenIdOf("eli");
        await TokenOfAsync(app, "fay");
        var token = await TokenOfAsync(app, "eli", $"\"inviter\":\"{WeChatStandIn.OpenIdOf("fay")}\"");
        var markers = (await RowsAsync(app)).Count(row => row.RowKey == InviterCredit.MarkerPrefix + openId);

        Assert.Equal(204, (int)(await DeleteAsync(app, token)).StatusCode);

        Assert.DoesNotContain(await RowsAsync(app), row => row.RowKey.Contains(openId, StringComparison.Ordinal));
        Assert.Equal(1, (await app.RowAsync("fay", partitionKey: new ProfileKeys(Microsoft.Extensions.Options.Options.Create(new StorageOptions { PartitionBuckets = 16 })).PartitionKey(TestHost.AppId, WeChatStandIn.OpenIdOf("fay"))))!.ShareNew);
        Assert.True(markers <= 1);
    }

    [Fact]
    public async Task Delete_removes_more_rows_than_one_transaction_holds()
    {
        await using var app = await StartAppAsync();
        var openId = WeChatStandIn.OpenIdOf("gus");
        var token = await TokenOfAsync(app, "gus");
        await SeedRowsAsync(app, openId, ledgerEntries: 230);

        Assert.Equal(204, (int)(await DeleteAsync(app, token)).StatusCode);

        var rows = await RowsAsync(app);
        Assert.Equal([AccountTombstones.RowKeyOf(openId)], rows.Select(row => row.RowKey));
    }

    [Fact]
    public async Task After_a_deletion_the_token_is_401_and_a_second_delete_is_401()
    {
        await using var app = await StartAppAsync();
        var token = await TokenOfAsync(app, "hal");

        Assert.Equal(204, (int)(await DeleteAsync(app, token)).StatusCode);

        await ProblemAssert.IsProblemAsync(await DeleteAsync(app, token), 401, "invalid_token");
        await ProblemAssert.IsProblemAsync(await ExportAsync(app, token), 401, "invalid_token");
        await ProblemAssert.IsProblemAsync(await app.UpdateUserInfoAsync(app.Seal("hal", "Hal"), token), 401, "invalid_token");
    }

    [Fact]
    public async Task A_returning_user_starts_fresh_credits_no_inviter_and_old_tokens_stay_dead()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(configureServices: services => services.AddSingleton<TimeProvider>(clock));
        var inviter = WeChatStandIn.OpenIdOf("ida");
        await TokenOfAsync(app, "ida");
        var first = await TokenOfAsync(app, "jay", $"\"inviter\":\"{inviter}\"");
        await TokenOfAsync(app, "jay");
        await app.UpdateUserInfoAsync(app.Seal("jay", "Jay"), first);
        Assert.Equal(1, (await app.RowAsync("ida"))!.ShareNew);
        Assert.Equal(204, (int)(await DeleteAsync(app, first)).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(2));

        var again = await app.LoginOkAsync("jay", $"\"inviter\":\"{inviter}\"");

        Assert.True(again.GetProperty("is_new").GetBoolean());
        Assert.Equal(1, again.GetProperty("login_times").GetInt64());
        Assert.Equal(string.Empty, again.GetProperty("nick_name").GetString());
        Assert.Equal(0, again.GetProperty("share_new").GetInt64());
        Assert.Equal(1, (await app.RowAsync("ida"))!.ShareNew);
        await ProblemAssert.IsProblemAsync(await ExportAsync(app, first), 401, "invalid_token");
        Assert.Equal(200, (int)(await ExportAsync(app, again.GetProperty("jwt").GetString())).StatusCode);
    }

    [Fact]
    public async Task A_new_user_with_an_inviter_still_credits_the_inviter_when_no_tombstone_exists()
    {
        await using var app = await StartAppAsync();
        await TokenOfAsync(app, "kim");

        await app.LoginOkAsync("lea", $"\"inviter\":\"{WeChatStandIn.OpenIdOf("kim")}\"");

        Assert.Equal(1, (await app.RowAsync("kim"))!.ShareNew);
    }

    [Fact]
    public async Task Delete_with_a_login_older_than_RecentLogin_is_403_recent_login_required_and_changes_nothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(
            new Dictionary<string, string?> { ["Tianmu:Account:RecentLogin"] = "00:05:00" },
            services => services.AddSingleton<TimeProvider>(clock));
        var token = await TokenOfAsync(app, "max");
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(2));
        var before = await app.DumpAsync();

        await ProblemAssert.IsProblemAsync(await DeleteAsync(app, token), 403, "recent_login_required");

        Assert.Equal(before, await app.DumpAsync());
        var fresh = await TokenOfAsync(app, "max");
        Assert.Equal(204, (int)(await DeleteAsync(app, fresh)).StatusCode);
    }

    [Fact]
    public async Task Delete_within_the_default_ten_minutes_of_the_login_succeeds()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(configureServices: services => services.AddSingleton<TimeProvider>(clock));
        var token = await TokenOfAsync(app, "ned");
        clock.Advance(TimeSpan.FromMinutes(9));

        Assert.Equal(204, (int)(await DeleteAsync(app, token)).StatusCode);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("2.00:00:00")]
    public async Task A_RecentLogin_out_of_range_stops_the_app_at_start_naming_the_variable(string value)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Account:RecentLogin"] = value }));

        Assert.Contains("Tianmu__Account__RecentLogin", failure.Message, StringComparison.Ordinal);
    }
}
