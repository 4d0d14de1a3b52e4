using System.Text.Json.Nodes;

namespace Tianmu.Infra.Tests;

/// <summary>Parameters, outputs and names: what an operator and a deploy script rely on.</summary>
public sealed class TemplateContractTests(InfraFixture infra)
{
    [Fact]
    public void Secrets_are_secure_parameters_without_defaults()
    {
        var main = infra.Template.Node("parameters");
        var keyVault = infra.ModuleTemplate("keyVault").Node("parameters");

        foreach (var (template, parameters) in new[] { (infra.Template, main), (infra.ModuleTemplate("keyVault"), keyVault) })
        {
            Assert.Equal("securestring", parameters.Str("jwtPrivateKey", "type"), ignoreCase: true);
            Assert.Equal("securestring", parameters.Str("jwtPreviousPublicKeys", "type"), ignoreCase: true);
            Assert.Equal("secureobject", parameters.Str("appSecrets", "type"), ignoreCase: true);
            Assert.Null(parameters["jwtPrivateKey"]!["defaultValue"]);
            Assert.Null(parameters["appSecrets"]!["defaultValue"]);
            foreach (var (name, minLength, maxLength) in new[] { ("appServerKeys", 32, (int?)null), ("appPushTokens", 3, 32), ("appPushAesKeys", 43, 43) })
            {
                var type = Resolve(template, parameters.Node(name));
                Assert.Equal("secureobject", type.Str("type"), ignoreCase: true);
                Assert.Equal(minLength, type.Node("additionalProperties", "minLength").GetValue<int>());
                Assert.Equal(maxLength, type["additionalProperties"]!["maxLength"]?.GetValue<int>());
            }
        }

        Assert.Equal("", main.Str("jwtPreviousPublicKeys", "defaultValue"));
        Assert.Empty(main.Node("appServerKeys", "defaultValue").AsObject());
        Assert.Empty(main.Node("appPushTokens", "defaultValue").AsObject());
        Assert.Empty(main.Node("appPushAesKeys", "defaultValue").AsObject());
    }

    /// <summary>A parameter's type, following a reference to a user-defined type.</summary>
    private static JsonNode Resolve(JsonObject template, JsonNode parameter) =>
        parameter["$ref"]?.GetValue<string>() is { } reference
            ? template.Node("definitions", reference["#/definitions/".Length..])
            : parameter;

    [Fact]
    public void Only_the_key_vault_module_receives_the_secrets()
    {
        string[] secrets = ["jwtPrivateKey", "appSecrets", "jwtPreviousPublicKeys", "appServerKeys", "appPushTokens", "appPushAesKeys"];
        var receivers = infra.Template.Node("resources").AsObject()
            .Where(r => r.Value!.Str("type") == "Microsoft.Resources/deployments")
            .Where(m => m.Value!.Node("properties", "parameters").AsObject()
                .Any(p => secrets.Any(s => (p.Value is JsonObject o ? o["value"]!.ToString() : p.Value!.ToString()).Contains($"parameters('{s}')", StringComparison.Ordinal))))
            .Select(m => m.Key);

        // The settings module learns which app ids have an optional secret (see AppSettingsTests), never a value.
        Assert.Equal(["appSettings", "keyVault"], receivers.Order());
        Assert.All(secrets, s => Assert.Equal($"[parameters('{s}')]", infra.Module("keyVault").Str("properties", "parameters", s, "value")));
    }

    [Fact]
    public void Operator_parameters_are_declared()
    {
        var parameters = infra.Template.Node("parameters").AsObject();

        Assert.Superset(
            new HashSet<string> { "namePrefix", "location", "appIds", "appSecrets", "jwtPrivateKey", "jwtPreviousPublicKeys", "appServerKeys", "appPushTokens", "appPushAesKeys", "jwtIssuer", "tableName" },
            parameters.Select(p => p.Key).ToHashSet());
        Assert.Equal("array", parameters.Node("appIds").Str("type"));
        Assert.Equal("string", parameters.Node("appIds").Str("items", "type"));
        Assert.Equal("[resourceGroup().location]", parameters.Node("location").Str("defaultValue"));
    }

    [Fact]
    public void Every_parameter_of_every_template_has_a_description()
    {
        Assert.All(infra.AllTemplates(), t =>
        {
            foreach (var (name, parameter) in t.Template["parameters"]?.AsObject() ?? [])
            {
                Assert.False(
                    string.IsNullOrWhiteSpace(parameter!["metadata"]?["description"]?.GetValue<string>()),
                    $"{t.Name}: parameter {name} has no @description");
            }
        });
    }

    [Fact]
    public void Outputs_give_the_function_app_url_and_name()
    {
        var outputs = infra.Snapshot.Outputs;
        var site = infra.Snapshot.Only("Microsoft.Web/sites");

        Assert.Equal(site.Str("name"), outputs.Str("functionAppName"));
        Assert.Equal($"[format('https://{{0}}', reference('{site.Str("id")}', '2024-04-01').defaultHostName)]", outputs.Str("functionAppUrl"));
        Assert.Equal(infra.Snapshot.Only("Microsoft.KeyVault/vaults").Str("name"), outputs.Str("keyVaultName"));
        Assert.All(infra.Template.Node("outputs").AsObject(), o => Assert.DoesNotContain("secure", o.Value!.Str("type"), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Names_are_stable_per_resource_group_and_prefix_and_differ_between_them()
    {
        var sameGroup = await infra.SnapshotAsync(InfraFixture.ResourceGroup);
        var otherGroup = await infra.SnapshotAsync("rg-tianmu-other");
        var otherPrefix = await infra.SnapshotAsync(InfraFixture.ResourceGroup, "tmstaging");

        // Extension resources (role assignments, diagnostic settings) are named within the resource they extend.
        string[] Names(Snapshot s) => [.. s.Resources
            .Where(r => !r.Str("type").StartsWith("Microsoft.Authorization/", StringComparison.Ordinal)
                        && r.Str("type") != "Microsoft.Insights/diagnosticSettings")
            .Select(r => r.Str("name"))];

        var names = Names(infra.Snapshot);
        Assert.All(names, n => Assert.DoesNotContain("[", n, StringComparison.Ordinal));
        Assert.Equal(names, Names(sameGroup));
        Assert.Empty(Names(otherGroup).Intersect(TopLevel(names)));
        Assert.Empty(Names(otherPrefix).Intersect(TopLevel(names)));
    }

    [Fact]
    public void Resource_names_fit_their_services_rules()
    {
        var storage = infra.Snapshot.ProfilesStorage.Str("name");
        var vault = infra.Snapshot.Only("Microsoft.KeyVault/vaults").Str("name");

        Assert.Matches("^[a-z0-9]{3,24}$", storage);
        Assert.Matches("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", vault);
        Assert.All(
            infra.Snapshot.OfType("Microsoft.KeyVault/vaults/secrets"),
            s => Assert.Matches("^[a-zA-Z0-9-]{1,127}$", s.Str("name").Split('/')[^1]));
        Assert.All(
            infra.Snapshot.Only("Microsoft.Web/sites/config").Node("properties").AsObject(),
            s => Assert.Matches("^[A-Za-z0-9_.]+$", s.Key));
    }

    // Child resources share their parent's name; comparing top-level names avoids matching "default".
    private static IEnumerable<string> TopLevel(IEnumerable<string> names) => names.Where(n => !n.Contains('/', StringComparison.Ordinal));
}
