namespace Tianmu.Infra.Tests;

public sealed class FunctionAppTests(InfraFixture infra)
{
    private const string Sites = "Microsoft.Web/sites";

    [Fact]
    public void Plan_is_Flex_Consumption_on_Linux()
    {
        var plan = infra.Snapshot.Only("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", plan.Str("sku", "name"));
        Assert.Equal("FlexConsumption", plan.Str("sku", "tier"));
        Assert.True(plan.Node("properties", "reserved").GetValue<bool>());
        Assert.Equal(plan.Str("id"), infra.Snapshot.Only(Sites).Str("properties", "serverFarmId"));
    }

    [Fact]
    public void Function_app_is_https_only_with_TLS_1_2_and_FTP_disabled()
    {
        var site = infra.Snapshot.Only(Sites);

        Assert.True(site.Node("properties", "httpsOnly").GetValue<bool>());
        Assert.Equal("1.2", site.Str("properties", "siteConfig", "minTlsVersion"));
        Assert.Equal("1.2", site.Str("properties", "siteConfig", "scmMinTlsVersion"));
        Assert.Equal("Disabled", site.Str("properties", "siteConfig", "ftpsState"));
    }

    [Fact]
    public void Basic_auth_publishing_is_off_for_FTP_and_SCM()
    {
        var policies = infra.Snapshot.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();

        Assert.Equal(["ftp", "scm"], policies.Select(p => p.Str("name").Split('/')[^1]).Order());
        Assert.All(policies, p => Assert.False(p.Node("properties", "allow").GetValue<bool>()));
    }

    [Fact]
    public void Function_app_has_a_system_assigned_identity_that_resolves_Key_Vault_references()
    {
        var site = infra.Snapshot.Only(Sites);

        Assert.Equal("SystemAssigned", site.Str("identity", "type"));
        Assert.Equal("SystemAssigned", site.Str("properties", "keyVaultReferenceIdentity"));
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_10_on_Linux()
    {
        var site = infra.Snapshot.Only(Sites);

        Assert.Equal("functionapp,linux", site.Str("kind"));
        Assert.Equal("dotnet-isolated", site.Str("properties", "functionAppConfig", "runtime", "name"));
        Assert.Equal("10.0", site.Str("properties", "functionAppConfig", "runtime", "version"));
        var scale = site.Node("properties", "functionAppConfig", "scaleAndConcurrency");
        Assert.Equal(2048, scale.Node("instanceMemoryMB").GetValue<int>());
        Assert.InRange(scale.Node("maximumInstanceCount").GetValue<int>(), 40, 1000);
    }

    [Fact]
    public void Deployment_package_comes_from_a_private_container_read_by_the_app_identity()
    {
        var storage = infra.Snapshot.Only(Sites).Node("properties", "functionAppConfig", "deployment", "storage");
        var container = Assert.Single(infra.Snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"), c => c.Str("name").StartsWith(infra.Snapshot.ProfilesStorage.Str("name") + "/", StringComparison.Ordinal));

        Assert.Equal("blobContainer", storage.Str("type"));
        Assert.Equal("SystemAssignedIdentity", storage.Str("authentication", "type"));
        Assert.Null(storage["authentication"]!["storageAccountConnectionStringName"]);
        Assert.Contains(infra.Snapshot.ProfilesStorage.Str("id"), storage.Str("value"), StringComparison.Ordinal);
        Assert.Contains(".primaryEndpoints.blob", storage.Str("value"), StringComparison.Ordinal);
        Assert.EndsWith($"/{container.Str("name").Split('/')[^1]}", container.Str("id"), StringComparison.Ordinal);
        Assert.Contains($"'{container.Str("name").Split('/')[^1]}'", storage.Str("value"), StringComparison.Ordinal);
        Assert.Equal("None", container.Str("properties", "publicAccess"));
    }
}
