namespace Tianmu.Infra.Tests;

public sealed class FrontDoorTests(InfraFixture infra)
{
    [Fact]
    public void Without_Front_Door_there_is_no_profile_and_no_access_restriction()
    {
        Assert.False(infra.Template.Node("parameters", "enableFrontDoor", "defaultValue").GetValue<bool>());
        Assert.DoesNotContain(infra.Snapshot.Resources, r => r.Str("type").StartsWith("Microsoft.Cdn/", StringComparison.Ordinal));
        Assert.Empty(infra.Snapshot.OfType("Microsoft.Network/FrontDoorWebApplicationFirewallPolicies"));
        Assert.DoesNotContain(infra.Snapshot.OfType("Microsoft.Web/sites/config"), c => c.Str("name").EndsWith("/web", StringComparison.Ordinal));
        Assert.Equal("1", infra.Snapshot.Only("Microsoft.Web/sites/config").Str("properties", "Tianmu__Http__ForwardedHops"));
        Assert.Equal("", infra.Snapshot.Outputs.Str("frontDoorUrl"));
    }

    [Fact]
    public async Task With_Front_Door_a_WAF_rate_limit_guards_the_app_and_the_app_accepts_only_that_Front_Door()
    {
        var snapshot = await infra.SnapshotAsync(InfraFixture.ResourceGroup, moreParameters: "param enableFrontDoor = true");

        var profile = snapshot.Only("Microsoft.Cdn/profiles");
        Assert.Equal("Standard_AzureFrontDoor", profile.Str("sku", "name"));

        var waf = snapshot.Only("Microsoft.Network/FrontDoorWebApplicationFirewallPolicies");
        Assert.Equal("Standard_AzureFrontDoor", waf.Str("sku", "name"));
        Assert.Equal("Prevention", waf.Str("properties", "policySettings", "mode"));
        var rule = Assert.Single(waf.Node("properties", "customRules", "rules").AsArray())!;
        Assert.Equal("RateLimitRule", rule.Str("ruleType"));
        Assert.Equal(1, rule.Node("rateLimitDurationInMinutes").GetValue<int>());
        Assert.Equal(600, rule.Node("rateLimitThreshold").GetValue<int>());
        Assert.Equal("SocketAddr", Assert.Single(rule.Node("groupBy").AsArray())!.Str("variableName"));
        Assert.Equal("Block", rule.Str("action"));

        var policy = snapshot.Only("Microsoft.Cdn/profiles/securityPolicies");
        Assert.Equal(waf.Str("id"), policy.Str("properties", "parameters", "wafPolicy", "id"));
        Assert.Equal(snapshot.Id("Microsoft.Cdn/profiles/afdEndpoints"), Assert.Single(Assert.Single(policy.Node("properties", "parameters", "associations").AsArray())!.Node("domains").AsArray())!.Str("id"));

        var origin = snapshot.Only("Microsoft.Cdn/profiles/originGroups/origins");
        Assert.Contains(".defaultHostName", origin.Str("properties", "hostName"), StringComparison.Ordinal);
        Assert.Equal("Https", Assert.Single(snapshot.Only("Microsoft.Cdn/profiles/afdEndpoints/routes").Node("properties", "supportedProtocols").AsArray())!.GetValue<string>());

        var web = Assert.Single(snapshot.OfType("Microsoft.Web/sites/config"), c => c.Str("name").EndsWith("/web", StringComparison.Ordinal));
        Assert.Equal($"{snapshot.Id("Microsoft.Web/sites")}/config/web", web.Str("id"));
        Assert.Equal("Deny", web.Str("properties", "ipSecurityRestrictionsDefaultAction"));
        var allow = Assert.Single(web.Node("properties", "ipSecurityRestrictions").AsArray())!;
        Assert.Equal("Allow", allow.Str("action"));
        Assert.Equal("ServiceTag", allow.Str("tag"));
        Assert.Equal("AzureFrontDoor.Backend", allow.Str("ipAddress"));
        Assert.Equal(
            $"[reference('{profile.Str("id")}', '2024-02-01').frontDoorId]",
            Assert.Single(allow.Node("headers", "x-azure-fdid").AsArray())!.GetValue<string>());

        var settings = snapshot.OfType("Microsoft.Web/sites/config").Single(c => c.Str("name").EndsWith("/appsettings", StringComparison.Ordinal));
        Assert.Equal("2", settings.Str("properties", "Tianmu__Http__ForwardedHops"));
        Assert.Equal("true", settings.Str("properties", "Tianmu__Http__TrustForwardedFor"));
        Assert.StartsWith("[format('https://{0}', reference(", snapshot.Outputs.Str("frontDoorUrl"), StringComparison.Ordinal);
    }
}
