using System.Text.Json.Nodes;

namespace Tianmu.Infra.Tests;

/// <summary>Avatar images (docs/DEPLOY.md, "Avatar images"): public over HTTPS without keys, only in their own account.</summary>
public sealed class AvatarStorageTests(InfraFixture infra)
{
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

    private JsonObject AvatarContainer => Assert.Single(
        infra.Snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
        c => c.Str("name").StartsWith(infra.Snapshot.AvatarStorage.Str("name") + "/", StringComparison.Ordinal));

    [Fact]
    public void Avatar_account_allows_anonymous_blob_reads_but_no_shared_keys_and_only_https_with_TLS_1_2()
    {
        var properties = infra.Snapshot.AvatarStorage.Node("properties");

        Assert.True(properties.Node("allowBlobPublicAccess").GetValue<bool>());
        Assert.False(properties.Node("allowSharedKeyAccess").GetValue<bool>());
        Assert.True(properties.Node("supportsHttpsTrafficOnly").GetValue<bool>());
        Assert.Equal("TLS1_2", properties.Str("minimumTlsVersion"));
        Assert.True(properties.Node("defaultToOAuthAuthentication").GetValue<bool>());
    }

    [Fact]
    public void Profiles_account_keeps_anonymous_access_off()
    {
        Assert.False(infra.Snapshot.ProfilesStorage.Node("properties", "allowBlobPublicAccess").GetValue<bool>());
        Assert.All(
            infra.Snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Where(c => c != AvatarContainer),
            c => Assert.Equal("None", c.Str("properties", "publicAccess")));
    }

    [Fact]
    public void Avatar_account_holds_one_container_avatars_readable_per_blob_without_listing()
    {
        var account = infra.Snapshot.AvatarStorage.Str("name");
        var containers = infra.Snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Where(c => c.Str("name").StartsWith(account + "/", StringComparison.Ordinal)).ToList();

        var container = Assert.Single(containers);
        Assert.Equal($"{account}/default/avatars", container.Str("name"));
        Assert.Equal("Blob", container.Str("properties", "publicAccess"));
        Assert.DoesNotContain(
            infra.Snapshot.OfType("Microsoft.Storage/storageAccounts/tableServices/tables"),
            t => t.Str("name").StartsWith(account + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void App_identity_is_Storage_Blob_Data_Contributor_scoped_to_the_avatars_container_only()
    {
        var avatarAccount = infra.Snapshot.AvatarStorage.Str("id");
        var assignments = infra.Snapshot.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => a.Str("id").StartsWith(avatarAccount + "/", StringComparison.Ordinal)).ToList();

        var assignment = Assert.Single(assignments);
        var scope = assignment.Str("id")[..assignment.Str("id").IndexOf("/providers/Microsoft.Authorization/", StringComparison.Ordinal)];
        Assert.Equal(AvatarContainer.Str("id"), scope);
        Assert.EndsWith(StorageBlobDataContributor, assignment.Str("properties", "roleDefinitionId"), StringComparison.Ordinal);
        Assert.Equal("ServicePrincipal", assignment.Str("properties", "principalType"));
    }

    [Fact]
    public void Output_gives_the_public_base_url_of_the_avatars_container()
    {
        var value = infra.Snapshot.Outputs.Str("avatarPublicBaseUrl");

        // The blob endpoint, the container name, then a trailing slash.
        Assert.StartsWith("[format('{0}{1}/', reference(", value, StringComparison.Ordinal);
        Assert.Contains(infra.Snapshot.AvatarStorage.Str("id"), value, StringComparison.Ordinal);
        Assert.EndsWith(".primaryEndpoints.blob, 'avatars')]", value, StringComparison.Ordinal);
    }
}
