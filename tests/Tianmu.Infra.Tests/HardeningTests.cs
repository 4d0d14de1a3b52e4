using System.Text.Json.Nodes;

namespace Tianmu.Infra.Tests;

/// <summary>Monitoring that cannot be written to with a key or become a bill, audit logs, and the app's own surface.</summary>
public sealed class HardeningTests(InfraFixture infra)
{
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private Dictionary<string, string> Settings =>
        infra.Snapshot.OfType("Microsoft.Web/sites/config").Single(c => c.Str("name").EndsWith("/appsettings", StringComparison.Ordinal)).Node("properties").AsObject()
            .ToDictionary(s => s.Key, s => s.Value!.GetValue<string>());

    [Fact]
    public void Application_Insights_accepts_only_Entra_ID_ingestion_by_the_app_identity()
    {
        var component = infra.Snapshot.Only("Microsoft.Insights/components");
        var publisher = Assert.Single(
            infra.Snapshot.OfType("Microsoft.Authorization/roleAssignments"),
            a => a.Str("properties", "roleDefinitionId").EndsWith(MonitoringMetricsPublisher, StringComparison.Ordinal));

        Assert.True(component.Node("properties", "DisableLocalAuth").GetValue<bool>());
        Assert.StartsWith($"{component.Str("id")}/providers/Microsoft.Authorization/roleAssignments/", publisher.Str("id"), StringComparison.Ordinal);
        Assert.Equal($"[reference('{infra.Snapshot.Id("Microsoft.Web/sites")}', '2024-04-01', 'full').identity.principalId]", publisher.Str("properties", "principalId"));
        Assert.Equal("Authorization=AAD", Settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public void Log_Analytics_has_a_daily_cap()
    {
        var workspace = infra.Snapshot.Only("Microsoft.OperationalInsights/workspaces");

        Assert.Equal(5, workspace.Node("properties", "workspaceCapping", "dailyQuotaGb").GetValue<int>());
        Assert.Equal(5, infra.Template.Node("parameters", "logDailyQuotaGb", "defaultValue").GetValue<int>());
        Assert.Equal(1, infra.Template.Node("parameters", "logDailyQuotaGb", "minValue").GetValue<int>());
    }

    [Theory]
    [InlineData("Microsoft.KeyVault/vaults", "", "AuditEvent")]
    [InlineData("Microsoft.Storage/storageAccounts", "/tableServices/default", "StorageRead,StorageWrite,StorageDelete")]
    [InlineData("Microsoft.Web/sites", "", "FunctionAppLogs")]
    public void Diagnostic_settings_send_audit_and_data_logs_to_Log_Analytics(string type, string child, string categories)
    {
        var resource = type == "Microsoft.Storage/storageAccounts" ? infra.Snapshot.ProfilesStorage : infra.Snapshot.Only(type);
        var scope = resource.Str("id") + child;
        var setting = Assert.Single(
            infra.Snapshot.OfType("Microsoft.Insights/diagnosticSettings"),
            d => d.Str("id").StartsWith($"{scope}/providers/Microsoft.Insights/diagnosticSettings/", StringComparison.Ordinal));

        Assert.Equal(infra.Snapshot.Id("Microsoft.OperationalInsights/workspaces"), setting.Str("properties", "workspaceId"));
        var logs = setting.Node("properties", "logs").AsArray();
        Assert.Equal(categories.Split(','), logs.Select(l => l!.Str("category")));
        Assert.All(logs, l => Assert.True(l!.Node("enabled").GetValue<bool>()));
    }

    [Fact]
    public void Functions_home_page_is_off_and_WeChat_is_reached_over_https()
    {
        var settings = Settings;

        Assert.Equal("true", settings["AzureWebJobsDisableHomepage"]);
        Assert.Equal("https://api.weixin.qq.com", settings["Tianmu__WeChat__ApiBaseUrl"]);
        Assert.Equal("https://api.weixin.qq.com", infra.Template.Str("parameters", "weChatApiBaseUrl", "defaultValue"));
    }

    [Fact]
    public async Task A_WeChat_base_url_that_is_not_https_fails_the_deployment()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => infra.SnapshotAsync(InfraFixture.ResourceGroup, moreParameters: "param weChatApiBaseUrl = 'http://api.weixin.qq.com'"));
        var other = await infra.SnapshotAsync(InfraFixture.ResourceGroup, moreParameters: "param weChatApiBaseUrl = 'https://wechat-stand-in.example'");

        Assert.Contains("weChatApiBaseUrl must start with https://", ex.Message, StringComparison.Ordinal);
        Assert.Equal(
            "https://wechat-stand-in.example",
            other.Only("Microsoft.Web/sites/config").Str("properties", "Tianmu__WeChat__ApiBaseUrl"));
    }

    [Fact]
    public void Client_IP_is_the_entry_the_Functions_front_end_appends()
    {
        var settings = Settings;

        Assert.Equal("true", settings["Tianmu__Http__TrustForwardedFor"]);
        Assert.Equal("1", settings["Tianmu__Http__ForwardedHops"]);
    }

    [Fact]
    public void Request_telemetry_is_sampled_and_exceptions_are_kept()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "..", "host.json")))!;
        var sampling = host.Node("logging", "applicationInsights", "samplingSettings");

        Assert.True(sampling.Node("isEnabled").GetValue<bool>());
        var excluded = sampling.Str("excludedTypes").Split(';');
        Assert.DoesNotContain("Request", excluded);
        Assert.Contains("Exception", excluded);
        Assert.Equal("Warning", host.Str("logging", "logLevel", "System.Net.Http.HttpClient"));
        Assert.Equal("api", host.Str("extensions", "http", "routePrefix"));
    }

    /// <summary>Two deployments into one resource group (say, with different prefixes) keep their own module deployments.</summary>
    [Fact]
    public void Module_deployment_names_derive_from_the_deployment()
    {
        var modules = infra.Template.Node("resources").AsObject().Where(r => r.Value!.Str("type") == "Microsoft.Resources/deployments").ToList();

        Assert.NotEmpty(modules);
        Assert.All(modules, m => Assert.StartsWith("[format('{0}-", m.Value!.Str("name"), StringComparison.Ordinal));
        Assert.All(modules, m => Assert.EndsWith("', uniqueString(deployment().name, parameters('location')))]", m.Value!.Str("name"), StringComparison.Ordinal));
    }
}
