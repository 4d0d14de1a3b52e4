using System.Text.Json.Nodes;

namespace Tianmu.Infra.Tests;

public sealed class AppSettingsTests(InfraFixture infra)
{
    private static readonly string[] KeyMaterial = ["listKeys", "AccountKey=", "SharedAccessSignature=", "DefaultEndpointsProtocol=", "parameters("];

    private Dictionary<string, string> Settings =>
        infra.Snapshot.Only("Microsoft.Web/sites/config").Node("properties").AsObject()
            .ToDictionary(s => s.Key, s => s.Value!.GetValue<string>());

    private string VaultUri => $"reference('{infra.Snapshot.Id("Microsoft.KeyVault/vaults")}', '2023-07-01').vaultUri";

    [Fact]
    public void Settings_resource_is_the_function_app_appsettings()
    {
        var config = infra.Snapshot.Only("Microsoft.Web/sites/config");

        Assert.Equal($"{infra.Snapshot.Id("Microsoft.Web/sites")}/config/appsettings", config.Str("id"));
    }

    [Fact]
    public void Private_key_and_every_app_secret_are_Key_Vault_references()
    {
        var settings = Settings;

        Assert.Equal(
            $"[format('@Microsoft.KeyVault(SecretUri={{0}}secrets/{{1}})', {VaultUri}, 'jwt-private-key')]",
            settings["Tianmu__Jwt__PrivateKey"]);
        Assert.Equal(
            $"[format('@Microsoft.KeyVault(SecretUri={{0}}secrets/{{1}})', {VaultUri}, 'wechat-secret-wx0123456789abcdef')]",
            settings["Tianmu__Apps__wx0123456789abcdef__Secret"]);
        Assert.Equal(
            $"[format('@Microsoft.KeyVault(SecretUri={{0}}secrets/{{1}})', {VaultUri}, 'wechat-secret-wx-second-app')]",
            settings["Tianmu__Apps__wx_second_app__Secret"]);
        Assert.Equal(InfraFixture.AppIds.Length, settings.Keys.Count(k => k.StartsWith("Tianmu__Apps__", StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_Key_Vault_reference_names_a_secret_the_deployment_creates()
    {
        // The optional secrets (deployed on a condition) are checked with their settings below.
        var secrets = infra.Snapshot.OfType("Microsoft.KeyVault/vaults/secrets").Where(s => s["condition"] is null).Select(s => s.Str("name").Split('/')[^1]).ToHashSet();
        var referenced = Settings.Values
            .Where(v => v.Contains("@Microsoft.KeyVault(", StringComparison.Ordinal))
            .Select(v => v[(v.LastIndexOf(", '", StringComparison.Ordinal) + 3)..v.LastIndexOf("')]", StringComparison.Ordinal)])
            .ToHashSet();

        Assert.Equal(secrets, referenced);
    }

    [Fact]
    public void No_setting_carries_a_key_a_connection_string_with_a_key_or_a_secret_parameter()
    {
        Assert.All(Settings, setting =>
        {
            foreach (var forbidden in KeyMaterial)
            {
                Assert.DoesNotContain(forbidden, setting.Value, StringComparison.OrdinalIgnoreCase);
            }
        });
        Assert.DoesNotContain("listKeys(", infra.Template.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey=", infra.Template.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Settings_module_receives_no_secure_parameter()
    {
        var parameters = infra.ModuleTemplate("appSettings").Node("parameters").AsObject();
        var passed = string.Join('\n', infra.Module("appSettings").Node("properties", "parameters").AsObject().Select(p => p.Value is JsonObject o ? o["value"]!.ToString() : p.Value!.ToString()));

        Assert.All(parameters, p => Assert.DoesNotContain("secure", p.Value!.Str("type"), StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("jwtPrivateKey", passed, StringComparison.Ordinal);
        Assert.DoesNotContain("appSecrets", passed, StringComparison.Ordinal);
        // The optional secrets reach it only as "which app ids have one", never as values.
        var optional = System.Text.RegularExpressions.Regex.Matches(passed, @"[A-Za-z]+\(parameters\('(appServerKeys|appPushTokens|appPushAesKeys|jwtPreviousPublicKeys)'\)")
            .Select(m => m.Value)
            .Order()
            .ToList();
        Assert.Equal(
            ["empty(parameters('jwtPreviousPublicKeys')", "objectKeys(parameters('appPushAesKeys')", "objectKeys(parameters('appPushTokens')", "objectKeys(parameters('appServerKeys')"],
            optional);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Count(passed, @"parameters\('(appServerKeys|appPushTokens|appPushAesKeys|jwtPreviousPublicKeys)'\)"));
    }

    [Fact]
    public void No_trace_of_the_HS256_signing_key_remains()
    {
        var template = infra.Template.ToJsonString();

        Assert.DoesNotContain(Settings.Keys, k => k.Contains("SigningKey", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("SigningKey", template, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("signing-key", template, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Apps_without_a_server_key_push_token_or_aes_key_get_no_setting()
    {
        var keys = Settings.Keys;

        Assert.DoesNotContain(keys, k => k.EndsWith("__ServerKey", StringComparison.Ordinal));
        Assert.DoesNotContain(keys, k => k.EndsWith("__PushToken", StringComparison.Ordinal));
        Assert.DoesNotContain(keys, k => k.EndsWith("__PushAesKey", StringComparison.Ordinal));
        Assert.DoesNotContain("Tianmu__Jwt__PreviousPublicKeys", keys);
    }

    /// <summary>With the optional secrets given, the snapshot cannot evaluate which apps have one (secure values stay
    /// references), so this reads the settings expression: one reference per app id in the given object that is also
    /// served, named like the secret the vault creates.</summary>
    [Fact]
    public void Optional_secrets_become_Key_Vault_references_of_the_apps_that_have_them()
    {
        var properties = infra.SnapshotWithOptionalSecrets.Only("Microsoft.Web/sites/config").Str("properties");
        var appIds = $"createArray({string.Join(", ", InfraFixture.AppIds.Select(id => $"'{id}'"))})";

        Assert.Contains(
            "if(not(empty(parameters('jwtPreviousPublicKeys'))), createObject('Tianmu__Jwt__PreviousPublicKeys', __bicep.secretReference(parameters('keyVaultUri'), variables('jwtPreviousPublicKeysSecretName'))), createObject())",
            properties,
            StringComparison.Ordinal);
        foreach (var (kind, parameter, function) in new[]
                 {
                     ("ServerKey", "appServerKeys", "serverKeySecretName"),
                     ("PushToken", "appPushTokens", "pushTokenSecretName"),
                     ("PushAesKey", "appPushAesKeys", "pushAesKeySecretName"),
                 })
        {
            Assert.Contains(
                $"toObject(intersection({appIds}, objectKeys(parameters('{parameter}'))), lambda('appId', format('Tianmu__Apps__{{0}}__{kind}', lambdaVariables('appId'))), lambda('appId', __bicep.secretReference(parameters('keyVaultUri'), __bicep.{function}(lambdaVariables('appId')))))",
                properties,
                StringComparison.Ordinal);
        }

        // The settings name the secrets with the same functions the vault does.
        Assert.Equal(
            "[format('@Microsoft.KeyVault(SecretUri={0}secrets/{1})', parameters('keyVaultUri'), parameters('secretName'))]",
            Function("appSettings", "secretReference"));
        foreach (var function in new[] { "serverKeySecretName", "pushTokenSecretName", "pushAesKeySecretName", "appSecretName" })
        {
            Assert.Equal(Function("keyVault", function), Function("appSettings", function));
        }

        Assert.Equal("[format('{0}-{1}', parameters('kind'), replace(parameters('appId'), '_', '-'))]", Function("keyVault", "appSecretName"));
    }

    private string Function(string module, string name) =>
        infra.ModuleTemplate(module).Node("functions").AsArray()
            .Select(ns => ns!.Node("members").AsObject()[name])
            .Single(f => f is not null)!
            .Str("output", "value");

    [Fact]
    public void Host_storage_is_reached_by_identity()
    {
        var settings = Settings;

        Assert.Equal(infra.Snapshot.ProfilesStorage.Str("name"), settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", StringComparison.Ordinal));
    }

    [Fact]
    public void Tianmu_settings_follow_the_operator_contract()
    {
        var settings = Settings;

        Assert.Equal(
            $"[reference('{infra.Snapshot.ProfilesStorage.Str("id")}', '2023-05-01').primaryEndpoints.table]",
            settings["Tianmu__Storage__TableServiceUri"]);
        Assert.Equal("profiles", settings["Tianmu__Storage__TableName"]);
        Assert.Equal("true", settings["Tianmu__Http__TrustForwardedFor"]);
        Assert.Equal("tianmu", settings["Tianmu__Jwt__Issuer"]);
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("Tianmu__Storage__ConnectionString", StringComparison.Ordinal));
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("Tianmu__Simulator", StringComparison.Ordinal));
    }

    [Fact]
    public void Avatar_settings_point_at_the_avatar_account_and_its_public_container()
    {
        var settings = Settings;
        var avatars = infra.Snapshot.AvatarStorage.Str("id");

        Assert.Equal($"[reference('{avatars}', '2023-05-01').primaryEndpoints.blob]", settings["Tianmu__Storage__BlobServiceUri"]);
        Assert.Equal("avatars", settings["Tianmu__Avatars__ContainerName"]);
        Assert.Contains(avatars, settings["Tianmu__Avatars__PublicBaseUrl"], StringComparison.Ordinal);
        Assert.StartsWith("[format('{0}{1}/', ", settings["Tianmu__Avatars__PublicBaseUrl"], StringComparison.Ordinal);
        Assert.EndsWith(".primaryEndpoints.blob, 'avatars')]", settings["Tianmu__Avatars__PublicBaseUrl"], StringComparison.Ordinal);
    }

    [Fact]
    public void Application_Insights_is_wired_through_its_connection_string()
    {
        var component = infra.Snapshot.Only("Microsoft.Insights/components");

        Assert.Equal($"[reference('{component.Str("id")}', '2020-02-02').ConnectionString]", Settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Equal(infra.Snapshot.Id("Microsoft.OperationalInsights/workspaces"), component.Str("properties", "WorkspaceResourceId"));
    }

    [Fact]
    public void Settings_are_written_after_the_role_assignments_they_rely_on()
    {
        var dependsOn = infra.Module("appSettings").Node("dependsOn").AsArray().Select(d => d!.GetValue<string>()).ToList();
        var rolesModule = infra.ModuleTemplate("roles").Resources().Select(r => r.Str("type"));

        Assert.Contains("roles", dependsOn);
        Assert.All(rolesModule, type => Assert.Equal("Microsoft.Authorization/roleAssignments", type));
        Assert.DoesNotContain(
            infra.Snapshot.Only("Microsoft.Web/sites").Node("properties").AsObject(),
            p => p.Key == "siteConfig" && p.Value is JsonObject siteConfig && siteConfig.ContainsKey("appSettings"));
    }
}
