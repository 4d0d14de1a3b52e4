using System.Text.Json.Nodes;

namespace Tianmu.Infra.Tests;

public sealed class KeyVaultTests(InfraFixture infra)
{
    [Fact]
    public void Key_vault_uses_RBAC_and_soft_delete()
    {
        var properties = infra.Snapshot.Only("Microsoft.KeyVault/vaults").Node("properties");

        Assert.True(properties.Node("enableRbacAuthorization").GetValue<bool>());
        Assert.True(properties.Node("enableSoftDelete").GetValue<bool>());
        Assert.InRange(properties.Node("softDeleteRetentionInDays").GetValue<int>(), 7, 90);
        Assert.True(properties.Node("enablePurgeProtection").GetValue<bool>());
        Assert.Null(properties["accessPolicies"]);
        Assert.False(properties.Node("enabledForTemplateDeployment").GetValue<bool>());
    }

    [Fact]
    public void Key_vault_holds_the_signing_key_and_one_secret_per_app_from_secure_parameters()
    {
        var vault = infra.Snapshot.Only("Microsoft.KeyVault/vaults").Str("name");
        var secrets = infra.Snapshot.OfType("Microsoft.KeyVault/vaults/secrets")
            .ToDictionary(s => s.Str("name"), s => s.Str("properties", "value"));

        Assert.Equal(
            new Dictionary<string, string>
            {
                [$"{vault}/jwt-signing-key"] = "[parameters('jwtSigningKey')]",
                [$"{vault}/wechat-secret-wx0123456789abcdef"] = "[parameters('appSecrets').wx0123456789abcdef]",
                [$"{vault}/wechat-secret-wx-second-app"] = "[parameters('appSecrets').wx_second_app]",
            },
            secrets);
    }

    /// <summary>The evaluated deployment keeps secure parameters as references; wherever one is used outside the
    /// value of a Key Vault secret (a tag, a content type, an app setting, an output), it would leak.</summary>
    [Fact]
    public void Secure_parameters_reach_only_the_values_of_Key_Vault_secrets()
    {
        var uses = infra.Snapshot.Resources
            .SelectMany(r => StringsIn(r, "").Select(s => (Type: r.Str("type"), s.Path, s.Value)))
            .Concat(StringsIn(infra.Snapshot.Outputs, "outputs").Select(s => (Type: "outputs", s.Path, s.Value)))
            .Where(s => s.Value.Contains("parameters('jwtSigningKey')", StringComparison.Ordinal)
                        || s.Value.Contains("parameters('appSecrets')", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(1 + InfraFixture.AppIds.Length, uses.Count);
        Assert.All(uses, u => Assert.Equal(("Microsoft.KeyVault/vaults/secrets", "properties.value"), (u.Type, u.Path)));
    }

    private static IEnumerable<(string Path, string Value)> StringsIn(JsonNode? node, string path) => node switch
    {
        JsonObject o => o.SelectMany(p => StringsIn(p.Value, path.Length == 0 ? p.Key : $"{path}.{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => StringsIn(item, $"{path}[{i}]")),
        JsonValue v when v.TryGetValue<string>(out var text) => [(path, text)],
        _ => [],
    };
}
