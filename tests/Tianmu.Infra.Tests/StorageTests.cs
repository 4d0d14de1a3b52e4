namespace Tianmu.Infra.Tests;

public sealed class StorageTests(InfraFixture infra)
{
    [Fact]
    public void Storage_account_refuses_shared_keys_anonymous_blobs_and_old_TLS()
    {
        var account = infra.Snapshot.ProfilesStorage;
        var properties = account.Node("properties");

        Assert.Equal("StorageV2", account.Str("kind"));
        Assert.False(properties.Node("allowSharedKeyAccess").GetValue<bool>());
        Assert.False(properties.Node("allowBlobPublicAccess").GetValue<bool>());
        Assert.Equal("TLS1_2", properties.Str("minimumTlsVersion"));
        Assert.True(properties.Node("supportsHttpsTrafficOnly").GetValue<bool>());
        Assert.True(properties.Node("defaultToOAuthAuthentication").GetValue<bool>());
    }

    [Fact]
    public void Profiles_table_is_created_by_the_deployment()
    {
        var table = infra.Snapshot.Only("Microsoft.Storage/storageAccounts/tableServices/tables");
        var account = infra.Snapshot.ProfilesStorage;

        Assert.Equal($"{account.Str("name")}/default/profiles", table.Str("name"));
        Assert.Equal("profiles", infra.Template.Str("parameters", "tableName", "defaultValue"));
    }
}
