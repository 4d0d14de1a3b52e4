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
    public void Key_vault_holds_the_private_key_and_one_secret_per_app_from_secure_parameters()
    {
        var vault = infra.Snapshot.Only("Microsoft.KeyVault/vaults").Str("name");
        var secrets = infra.Snapshot.OfType("Microsoft.KeyVault/vaults/secrets")
            .Where(s => s["condition"] is null)
            .ToDictionary(s => s.Str("name"), s => s.Str("properties", "value"));

        Assert.Equal(
            new Dictionary<string, string>
            {
                [$"{vault}/jwt-private-key"] = "[if(contains(parameters('jwtPrivateKey'), '-----BEGIN PRIVATE KEY-----'), parameters('jwtPrivateKey'), fail('jwtPrivateKey must be a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----): see docs/DEPLOY.md.'))]",
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
            .Where(s => s.Value.Contains("parameters('jwtPrivateKey')", StringComparison.Ordinal)
                        || s.Value.Contains("parameters('appSecrets')", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(1 + InfraFixture.AppIds.Length, uses.Count);
        Assert.All(uses, u => Assert.Equal(("Microsoft.KeyVault/vaults/secrets", "properties.value"), (u.Type, u.Path)));
    }

    /// <summary>With every optional secret given: values only in secret values, and elsewhere only in conditions
    /// (which secrets exist) and in the settings expression that asks which app ids have one.</summary>
    [Fact]
    public void Optional_secrets_reach_only_secret_values_conditions_and_the_app_id_lists()
    {
        var uses = infra.SnapshotWithOptionalSecrets.Resources
            .SelectMany(r => StringsIn(r, "").Select(s => (Type: r.Str("type"), s.Path, s.Value)))
            .Concat(StringsIn(infra.SnapshotWithOptionalSecrets.Outputs, "outputs").Select(s => (Type: "outputs", s.Path, s.Value)))
            .Where(s => SecureParameters.Any(p => s.Value.Contains($"parameters('{p}')", StringComparison.Ordinal)))
            .ToList();

        Assert.All(uses, u => Assert.Contains((u.Type, u.Path), new[]
        {
            ("Microsoft.KeyVault/vaults/secrets", "properties.value"),
            ("Microsoft.KeyVault/vaults/secrets", "condition"),
            ("Microsoft.Web/sites/config", "properties"),
        }));
        var settings = Assert.Single(uses, u => u.Type == "Microsoft.Web/sites/config").Value;
        Assert.DoesNotContain("parameters('appServerKeys')[", settings, StringComparison.Ordinal);
        Assert.DoesNotContain("parameters('appServerKeys').", settings, StringComparison.Ordinal);
        Assert.DoesNotContain("parameters('jwtPreviousPublicKeys'))", settings.Replace("empty(parameters('jwtPreviousPublicKeys'))", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Optional_secrets_exist_only_for_the_apps_that_have_them()
    {
        var vault = infra.SnapshotWithOptionalSecrets.Only("Microsoft.KeyVault/vaults").Str("name");
        var optional = infra.SnapshotWithOptionalSecrets.OfType("Microsoft.KeyVault/vaults/secrets")
            .Where(s => s["condition"] is not null)
            .ToDictionary(s => s.Str("name"), s => (Condition: s.Str("condition"), Value: s.Str("properties", "value")));

        Assert.Equal(
            ("[not(empty(parameters('jwtPreviousPublicKeys')))]", "[parameters('jwtPreviousPublicKeys')]"),
            optional[$"{vault}/jwt-previous-public-keys"]);
        foreach (var (prefix, parameter) in new[] { ("server-key", "appServerKeys"), ("push-token", "appPushTokens"), ("push-aes-key", "appPushAesKeys") })
        {
            Assert.Equal(
                ($"[contains(parameters('{parameter}'), 'wx0123456789abcdef')]", $"[parameters('{parameter}').wx0123456789abcdef]"),
                optional[$"{vault}/{prefix}-wx0123456789abcdef"]);
            Assert.Equal(
                ($"[contains(parameters('{parameter}'), 'wx_second_app')]", $"[parameters('{parameter}').wx_second_app]"),
                optional[$"{vault}/{prefix}-wx-second-app"]);
        }

        Assert.Equal(7, optional.Count);
    }

    private static readonly string[] SecureParameters =
        ["jwtPrivateKey", "appSecrets", "jwtPreviousPublicKeys", "appServerKeys", "appPushTokens", "appPushAesKeys"];

    private static IEnumerable<(string Path, string Value)> StringsIn(JsonNode? node, string path) => node switch
    {
        JsonObject o => o.SelectMany(p => StringsIn(p.Value, path.Length == 0 ? p.Key : $"{path}.{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => StringsIn(item, $"{path}[{i}]")),
        JsonValue v when v.TryGetValue<string>(out var text) => [(path, text)],
        _ => [],
    };
}
