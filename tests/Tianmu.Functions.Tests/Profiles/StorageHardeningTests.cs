using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moq;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Profiles;

/// <summary>Issue 13, failures 5–7 and the storage half of <c>internal_error</c> (docs/API.md, "Storage").</summary>
public sealed class StorageHardeningTests(AppFixture fixture) : AppTest(fixture)
{
    private const int Buckets = 10;

    [Fact]
    public async Task A_storage_fault_during_a_cross_partition_credit_after_the_profile_was_written_answers_200_is_new_and_a_later_login_pays_it()
    {
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(new Dictionary<string, string?> { ["Tianmu:Storage:PartitionBuckets"] = Buckets.ToString(System.Globalization.CultureInfo.InvariantCulture) }, spy: spy);
        var (inviterName, guestName) = TwoUsersInDifferentPartitions();
        await app.LoginOkAsync(inviterName);
        var inviter = WeChatStandIn.OpenIdOf(inviterName);
        var inviterPartition = Partition(inviter);

        // Every request to the inviter's partition fails once the guest's profile has been added.
        spy.Fail = line => line.StartsWith("POST", StringComparison.Ordinal) && line.Contains("$batch", StringComparison.Ordinal) ? 503 : null;
        var guest = await app.LoginAsync(guestName, $"\"inviter\":\"{inviter}\"");

        var body = await guest.Content.ReadAsStringAsync();
        Assert.True(200 == (int)guest.StatusCode, body);
        Assert.True(System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("is_new").GetBoolean());
        Assert.Equal(0, (await app.RowAsync(inviterName, partitionKey: inviterPartition))!.ShareNew);
        Assert.Equal(inviter, (await app.RowAsync(guestName, partitionKey: Partition(WeChatStandIn.OpenIdOf(guestName))))!.PendingInviter);

        spy.Fail = null;
        var again = await app.LoginOkAsync(guestName);

        Assert.False(again.GetProperty("is_new").GetBoolean());
        Assert.Equal(1, (await app.RowAsync(inviterName, partitionKey: inviterPartition))!.ShareNew);
        Assert.Equal(string.Empty, (await app.RowAsync(guestName, partitionKey: Partition(WeChatStandIn.OpenIdOf(guestName))))!.PendingInviter);
        await app.LoginOkAsync(guestName);
        Assert.Equal(1, (await app.RowAsync(inviterName, partitionKey: inviterPartition))!.ShareNew);
    }

    [Fact]
    public async Task A_storage_403_is_503_upstream_unavailable_logged_at_Error_with_the_cause()
    {
        // Azurite refuses a wrong account key with 403, as Azure refuses an identity without its role.
        var wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var refused = Fixture.Azurite.ConnectionString.Replace(Azurite.AccountKey, wrongKey, StringComparison.Ordinal);
        await using var app = await StartAppAsync(configureServices: services =>
            services.AddSingleton(new TableClient(refused, AppFixture.NewTableName(), ProfileStore.CreateClientOptions())));
        var code = app.WeChat.NewCode("forbidden");

        var response = await app.PostAsync("/api/login", $"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{code}\"}}");

        await ProblemAssert.IsProblemAsync(response, 503, "upstream_unavailable");
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Contains(app.Host.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Exception is Azure.RequestFailedException { Status: 403 });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_Azure_Identity_failure_is_503_upstream_unavailable_logged_at_Error_with_the_cause(bool unavailable)
    {
        var credential = new Mock<TokenCredential>();
        Exception failure = unavailable
            ? new CredentialUnavailableException("No managed identity endpoint found.")
            : new AuthenticationFailedException("ManagedIdentityCredential authentication failed.");
        credential.Setup(c => c.GetTokenAsync(It.IsAny<TokenRequestContext>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        credential.Setup(c => c.GetToken(It.IsAny<TokenRequestContext>(), It.IsAny<CancellationToken>())).Throws(failure);
        await using var app = await StartAppAsync(configureServices: services =>
            services.AddSingleton(new TableClient(new Uri("https://127.0.0.1:1/devstoreaccount1"), AppFixture.NewTableName(), credential.Object, ProfileStore.CreateClientOptions())));

        var response = await app.LoginAsync("no-identity");

        await ProblemAssert.IsProblemAsync(response, 503, "upstream_unavailable");
        Assert.Contains(app.Host.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Exception == failure);
    }

    [Fact]
    public async Task Outside_Development_a_missing_table_is_503_logged_at_Error_and_never_created_again()
    {
        await using var app = await StartAppAsync();
        var token = (await app.LoginOkAsync("table-gone")).GetProperty("jwt").GetString();

        await app.Table.DeleteAsync();
        var login = await app.LoginAsync("table-gone");
        var update = await app.UpdateUserInfoAsync(app.Seal("table-gone", "Gone"), token);

        await ProblemAssert.IsProblemAsync(login, 503, "upstream_unavailable");
        await ProblemAssert.IsProblemAsync(update, 503, "upstream_unavailable");
        Assert.Contains(app.Host.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Id.Id == 13020);
        var tables = new TableServiceClient(Fixture.Azurite.ConnectionString).QueryAsync(t => t.Name == app.Table.Name);
        Assert.Empty(await tables.ToListAsync());
    }

    [Fact]
    public async Task Outside_Development_the_app_does_not_create_its_table_at_all()
    {
        var table = AppFixture.NewTableName();
        await using var app = await StartAppAsync(configureServices: services =>
            services.AddSingleton(new TableClient(Fixture.Azurite.ConnectionString, table, ProfileStore.CreateClientOptions())));

        var login = await app.LoginAsync("no-table-yet");

        await ProblemAssert.IsProblemAsync(login, 503, "upstream_unavailable");
        Assert.Empty(await new TableServiceClient(Fixture.Azurite.ConnectionString).QueryAsync(t => t.Name == table).ToListAsync());
    }

    [Fact]
    public async Task Storage_refusing_a_write_for_good_is_500_internal_error_logged_with_its_exception_and_a_detail_without_the_cause()
    {
        var spy = new StorageSpy();
        await using var app = await StartAppAsync(spy: spy);
        spy.Fail = line => line.StartsWith("POST", StringComparison.Ordinal) ? 400 : null;

        var response = await app.LoginAsync("refused-write");

        var problem = await ProblemAssert.IsProblemAsync(response, 500, "internal_error");
        Assert.Equal(ApiEndpoint.InternalErrorDetail, problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("PropertyValueTooLarge", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(response.Headers.RetryAfter);
        Assert.Contains(app.Host.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Exception is Azure.RequestFailedException { Status: 400 });
    }

    private static string Partition(string openId) =>
        TestHost.AppId + "-" + (SHA256.HashData(Encoding.UTF8.GetBytes(openId))[0] % Buckets).ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    private static (string Inviter, string Guest) TwoUsersInDifferentPartitions()
    {
        var inviter = "xp-inviter-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; ; i++)
        {
            var guest = $"xp-guest-{i}-{Guid.NewGuid().ToString("N")[..6]}";
            if (Partition(WeChatStandIn.OpenIdOf(guest)) != Partition(WeChatStandIn.OpenIdOf(inviter)))
            {
                return (inviter, guest);
            }
        }
    }
}
