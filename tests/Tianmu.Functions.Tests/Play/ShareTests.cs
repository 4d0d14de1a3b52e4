using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using Tianmu.Functions.Profiles;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Play;

/// <summary><c>POST /api/play/share</c> over HTTP (docs/API.md, "Play time and shares").</summary>
public sealed class ShareTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task The_first_report_of_a_share_id_counts_and_a_repeat_answers_what_the_first_answered()
    {
        var clock = new FakeTimeProvider(PlayTestApp.ChinaNoon);
        await using var app = await StartAppAsync(configureServices: PlayTestApp.On(clock));
        var token = await app.TokenOfAsync("sharer");

        var first = await app.ShareOkAsync(token, "share-0001", "level-3");
        var second = await app.ShareOkAsync(token, "share-0002");
        var repeat = await app.ShareOkAsync(token, "share-0001", "another-scene");

        Assert.Equal((1L, true), first);
        Assert.Equal((2L, true), second);
        Assert.Equal((1L, true), repeat);
        Assert.Equal(2, (await app.RowAsync("sharer"))!.ShareTimes);
        var report = (await app.Table.GetEntityAsync<ShareReportEntity>(TestHost.AppId, ShareReportEntity.RowKeyOf(WeChatStandIn.OpenIdOf("sharer"), "share-0001"))).Value;
        Assert.True(report.Counted);
        Assert.Equal(1, report.ShareTimes);
        Assert.Equal("level-3", report.Scene);
        Assert.Equal(PlayTestApp.ChinaNoon, report.ReportedAt);
    }

    [Fact]
    public async Task Twenty_concurrent_reports_of_one_share_id_count_once_and_answer_alike()
    {
        await using var app = await StartAppAsync();
        var token = await app.TokenOfAsync("spammer");
        await app.ShareOkAsync(token, "earlier-share");

        using var go = new SemaphoreSlim(0);
        var reports = Enumerable.Range(0, 20).Select(async _ =>
        {
            await go.WaitAsync();
            return await app.ShareOkAsync(token, "same-share-id");
        }).ToArray();
        go.Release(20);
        var answers = await Task.WhenAll(reports);

        Assert.All(answers, a => Assert.Equal((2L, true), a));
        Assert.Equal(2, (await app.RowAsync("spammer"))!.ShareTimes);
        var rows = await app.Table.QueryAsync<TableEntity>(e => e.PartitionKey == TestHost.AppId).ToListAsync();
        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public async Task The_daily_cap_counts_MaxSharesPerDay_per_UTC8_day_and_opens_again_at_midnight()
    {
        var clock = new FakeTimeProvider(PlayTestApp.OneMinuteBeforeChinaMidnight);
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Play:MaxSharesPerDay"] = "2" }, PlayTestApp.On(clock));
        var token = await app.TokenOfAsync("capped");

        var one = await app.ShareOkAsync(token, "cap-share-1");
        var two = await app.ShareOkAsync(token, "cap-share-2");
        clock.Advance(TimeSpan.FromSeconds(59.999));
        var over = await app.ShareOkAsync(token, "cap-share-3");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var nextDay = await app.ShareOkAsync(token, "cap-share-4");
        var overRepeated = await app.ShareOkAsync(token, "cap-share-3");

        Assert.Equal((1L, true), one);
        Assert.Equal((2L, true), two);
        Assert.Equal((2L, false), over);
        Assert.Equal((3L, true), nextDay);
        Assert.Equal((2L, false), overRepeated);
        Assert.Equal(3, (await app.RowAsync("capped"))!.ShareTimes);
    }

    [Fact]
    public async Task Two_users_of_one_partition_count_the_same_share_id_each()
    {
        await using var app = await StartAppAsync();
        var alice = await app.TokenOfAsync("share-alice");
        var bob = await app.TokenOfAsync("share-bob");

        Assert.Equal((1L, true), await app.ShareOkAsync(alice, "shared-id-1"));
        Assert.Equal((1L, true), await app.ShareOkAsync(bob, "shared-id-1"));
    }

    [Fact]
    public async Task Reports_live_in_the_users_partition_when_partitions_are_bucketed()
    {
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Storage:PartitionBuckets"] = "16" });
        var token = await app.TokenOfAsync("bucketed");
        var keys = new ProfileKeys(Microsoft.Extensions.Options.Options.Create(new StorageOptions { PartitionBuckets = 16 }));
        var partition = keys.PartitionKey(TestHost.AppId, WeChatStandIn.OpenIdOf("bucketed"));

        Assert.Equal((1L, true), await app.ShareOkAsync(token, "bucket-share"));
        Assert.Equal((1L, true), await app.ShareOkAsync(token, "bucket-share"));

        var report = await app.Table.GetEntityIfExistsAsync<ShareReportEntity>(partition, ShareReportEntity.RowKeyOf(WeChatStandIn.OpenIdOf("bucketed"), "bucket-share"));
        Assert.True(report.HasValue);
    }

    [Theory]
    [InlineData("{\"share_id\":\"short12\"}")]
    [InlineData("{\"share_id\":\"12345678901234567890123456789012345678901234567890123456789012345\"}")]
    [InlineData("{\"share_id\":\"has/slash1\"}")]
    [InlineData("{\"share_id\":\"has~tilde1\"}")]
    [InlineData("{\"share_id\":\"line-break\\n\"}")]
    [InlineData("{\"share_id\":\"\"}")]
    [InlineData("{\"share_id\":12345678}")]
    [InlineData("{\"scene\":\"x\"}")]
    [InlineData("{\"share_id\":\"good-share\",\"scene\":\"12345678901234567890123456789012345678901234567890123456789012345\"}")]
    [InlineData("{\"share_id\":\"good-share\",\"scene\":7}")]
    [InlineData("{\"share_id\":\"good-share\",\"share_id\":\"good-share\"}")]
    [InlineData("[\"good-share\"]")]
    [InlineData("")]
    public async Task A_bad_share_report_is_invalid_request_and_changes_nothing(string body)
    {
        await using var app = await StartAppAsync();
        var token = await app.TokenOfAsync("careless");
        var before = await app.DumpAsync();

        var response = await app.PostAsync("/api/play/share", body, token);

        await ProblemAssert.IsProblemAsync(response, 400, "invalid_request");
        Assert.Equal(before, await app.DumpAsync());
    }

    [Fact]
    public async Task A_scene_of_exactly_64_characters_and_a_share_id_of_8_and_64_are_accepted()
    {
        await using var app = await StartAppAsync();
        var token = await app.TokenOfAsync("edgy");

        Assert.Equal((1L, true), await app.ShareOkAsync(token, "abcd_-89", new string('场', 64)));
        Assert.Equal((2L, true), await app.ShareOkAsync(token, new string('z', 64)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("garbage")]
    public async Task A_share_without_a_valid_token_is_401_and_changes_nothing(string? token)
    {
        await using var app = await StartAppAsync();
        await app.LoginOkAsync("tokenless");
        var before = await app.DumpAsync();

        var response = await app.ShareAsync(token, "share-0001");

        await ProblemAssert.IsProblemAsync(response, 401, "invalid_token");
        Assert.Equal(before, await app.DumpAsync());
    }
}
