using System.Text.Json;
using Tianmu.Functions.Login;
using Tianmu.LocalHost.Hosting;

namespace Tianmu.LocalHost.Tests;

public sealed class RouteParityTests
{
    /// <summary>What the Azure Functions host serves: the metadata the Functions SDK generated at build time.</summary>
    private static SortedSet<string> FunctionsHostRoutes()
    {
        var metadata = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        using var document = JsonDocument.Parse(File.ReadAllBytes(metadata));
        var routes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var function in document.RootElement.EnumerateArray())
        {
            foreach (var binding in function.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "httpTrigger"))
            {
                foreach (var method in binding.GetProperty("methods").EnumerateArray())
                {
                    routes.Add($"{method.GetString()!.ToUpperInvariant()} /api/{binding.GetProperty("route").GetString()}");
                }
            }
        }

        return routes;
    }

    [Fact]
    public void The_local_host_serves_exactly_the_routes_and_methods_of_the_Functions_app()
    {
        var local = new SortedSet<string>(
            FunctionRoutes.Discover(typeof(LoginFunction).Assembly).SelectMany(r => r.Methods.Select(m => $"{m} /{FunctionRoutes.RoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json"))}/{r.Route}")),
            StringComparer.Ordinal);

        Assert.Equal(
            [
                "DELETE /api/account",
                "GET /api/.well-known/jwks.json",
                "GET /api/account/export",
                "GET /api/health",
                "GET /api/server/apps/{appId}/users/{openId}",
                "GET /api/wallet",
                "GET /api/wechat/push/{appId}",
                "POST /api/login",
                "POST /api/play/heartbeat",
                "POST /api/play/share",
                "POST /api/profile",
                "POST /api/profile/avatar",
                "POST /api/server/apps/{appId}/wallet/transactions",
                "POST /api/token/refresh",
                "POST /api/updateUserInfo",
                "POST /api/wechat/push/{appId}",
            ],
            FunctionsHostRoutes());
        Assert.Equal(FunctionsHostRoutes(), local);
    }

    [Fact]
    public void The_route_prefix_comes_from_host_json()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, "{\"version\":\"2.0\",\"extensions\":{\"http\":{\"routePrefix\":\"/v1/\"}}}");
        try
        {
            Assert.Equal("v1", FunctionRoutes.RoutePrefix(path));
            Assert.Equal("api", FunctionRoutes.RoutePrefix(path + ".missing"));
            Assert.Equal("api", FunctionRoutes.RoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071", "http://127.0.0.1:7071")]
    [InlineData("http://0.0.0.0:8080;https://*:8443", "http://127.0.0.1:8080")]
    [InlineData("http://*:5000", "http://127.0.0.1:5000")]
    [InlineData("http://localhost:5001", "http://127.0.0.1:5001")]
    public void The_simulator_is_reached_at_the_hosts_own_loopback_address(string urls, string expected)
    {
        Assert.Equal(expected, LocalHostSetup.SelfUrl(urls));
    }

    [Fact]
    public void The_simulator_switch_does_not_swallow_the_next_argument()
    {
        var (hostArgs, simulate) = LocalHostSetup.ReadSwitches(["--simulate-wechat", "--urls", "http://127.0.0.1:9"]);

        Assert.True(simulate);
        Assert.Equal(["--urls", "http://127.0.0.1:9"], hostArgs);
    }
}
