using System.Text.Json.Nodes;

namespace Tianmu.Infra.Tests;

public sealed class RoleAssignmentTests(InfraFixture infra)
{
    // Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private IReadOnlyList<JsonObject> Assignments => infra.Snapshot.OfType("Microsoft.Authorization/roleAssignments").ToList();

    [Fact]
    public void App_identity_holds_exactly_its_data_and_telemetry_roles_each_on_its_resource()
    {
        var storage = infra.Snapshot.ProfilesStorage.Str("id");
        var vault = infra.Snapshot.Id("Microsoft.KeyVault/vaults");
        var component = infra.Snapshot.Id("Microsoft.Insights/components");

        // The avatar account's one assignment has its own test (AvatarStorageTests).
        var avatars = infra.Snapshot.AvatarStorage.Str("id");
        var granted = Assignments
            .Where(a => !a.Str("id").StartsWith(avatars + "/", StringComparison.Ordinal))
            .Select(a => (Role: a.Str("properties", "roleDefinitionId"), Scope: a.Str("id")[..a.Str("id").IndexOf("/providers/Microsoft.Authorization/", StringComparison.Ordinal)]))
            .OrderBy(a => a.Role, StringComparer.Ordinal)
            .ToList();

        Assert.Equal(
            new[]
            {
                (RoleId(StorageQueueDataContributor), storage),
                (RoleId(StorageTableDataContributor), storage),
                (RoleId(KeyVaultSecretsUser), vault),
                (RoleId(StorageBlobDataOwner), storage),
                (RoleId(MonitoringMetricsPublisher), component),
            }.OrderBy(a => a.Item1, StringComparer.Ordinal),
            granted);
    }

    [Fact]
    public void Every_assignment_is_for_the_function_app_identity()
    {
        var principal = $"[reference('{infra.Snapshot.Id("Microsoft.Web/sites")}', '2024-04-01', 'full').identity.principalId]";

        Assert.All(Assignments, a =>
        {
            Assert.Equal(principal, a.Str("properties", "principalId"));
            Assert.Equal("ServicePrincipal", a.Str("properties", "principalType"));
        });
    }

    [Fact]
    public async Task Assignment_names_are_the_same_on_every_deployment_to_the_resource_group()
    {
        var again = await infra.SnapshotAsync(InfraFixture.ResourceGroup, "tianmu");

        var names = Assignments.Select(a => a.Str("name")).ToList();
        Assert.All(names, name => Assert.True(Guid.TryParse(name, out _), $"{name} is not evaluated to a GUID"));
        Assert.Equal(names, again.OfType("Microsoft.Authorization/roleAssignments").Select(a => a.Str("name")));
    }

    private static string RoleId(string guid) =>
        $"/subscriptions/{InfraFixture.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{guid}";
}
