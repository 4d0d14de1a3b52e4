using System.Text.Json.Nodes;

namespace Tianmu.Infra.Tests;

public sealed class BicepCliTests(InfraFixture infra)
{
    [Fact]
    public void Main_template_compiles_without_any_diagnostic()
    {
        Assert.True(infra.Build.ExitCode == 0, infra.Build.ToString());
        Assert.True(infra.Build.StandardError.Length == 0, infra.Build.ToString());
        Assert.Equal("2.0", infra.Template.Str("languageVersion"));
    }

    [Fact]
    public void Main_template_lints_without_any_diagnostic()
    {
        Assert.True(infra.Lint.ExitCode == 0, infra.Lint.ToString());
        Assert.True(infra.Lint.Output.Length == 0, infra.Lint.ToString());
    }

    [Fact]
    public async Task Bicep_cli_is_the_pinned_version()
    {
        var result = await BicepCli.RunAsync(BicepCli.InfraDirectory, null, "--version");

        Assert.Contains("Bicep CLI version 0.49.2", result.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>Zero warnings only means something if the rules that matter are on: every configured rule is an
    /// error, and only the two that need the network (or today's date) are off.</summary>
    [Fact]
    public void Linter_configuration_makes_every_rule_an_error()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "bicepconfig.json")))!;
        var core = config.Node("analyzers", "core");
        var levels = core.Node("rules").AsObject().ToDictionary(r => r.Key, r => r.Value!.Str("level"));

        Assert.True(core.Node("enabled").GetValue<bool>());
        Assert.Equal(["use-recent-api-versions", "use-recent-module-versions"], levels.Where(l => l.Value != "error").Select(l => l.Key).Order());
        Assert.All(levels.Where(l => l.Value != "error"), l => Assert.Equal("off", l.Value));
        Assert.Superset(
            new HashSet<string>
            {
                "outputs-should-not-contain-secrets", "secure-secrets-in-params", "secure-parameter-default",
                "use-secure-value-for-secure-inputs", "secure-params-in-nested-deploy", "protect-commandtoexecute-secrets",
                "no-hardcoded-env-urls", "no-hardcoded-location", "no-unused-params", "no-unused-vars",
                "use-stable-resource-identifiers", "what-if-short-circuiting", "use-user-defined-types",
            },
            levels.Where(l => l.Value == "error").Select(l => l.Key).ToHashSet());
    }

    [Theory]
    [InlineData("param unusedParameter string = 'x'", "no-unused-params")]
    [InlineData("output leakedKey string = jwtPrivateKey", "outputs-should-not-contain-secrets")]
    [InlineData("var endpoint = 'https://management.azure.com/'\noutput endpointUsed string = endpoint", "no-hardcoded-env-urls")]
    public async Task Linter_fails_a_template_that_breaks_a_rule(string addition, string rule)
    {
        var directory = Directory.CreateTempSubdirectory("tianmu-lint-").FullName;
        try
        {
            foreach (var file in Directory.EnumerateFiles(infra.WorkInfraDirectory, "*.bicep*", SearchOption.AllDirectories)
                         .Concat([Path.Combine(infra.WorkInfraDirectory, "bicepconfig.json")]))
            {
                var destination = Path.Combine(directory, Path.GetRelativePath(infra.WorkInfraDirectory, file));
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }

            await File.AppendAllTextAsync(Path.Combine(directory, "main.bicep"), $"\n{addition}\n", TestContext.Current.CancellationToken);

            var result = await BicepCli.RunAsync(directory, null, "lint", "main.bicep");

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains($"Error {rule}", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Example_parameters_take_secrets_from_the_environment_only()
    {
        var required = new Dictionary<string, string>
        {
            ["TIANMU_APP_SECRETS"] = """{"wx0123456789abcdef":"from-the-environment"}""",
            ["TIANMU_JWT_PRIVATE_KEY"] = "-----BEGIN PRIVATE KEY-----\nfrom-the-environment\n-----END PRIVATE KEY-----",
        };
        var all = new Dictionary<string, string>(required)
        {
            ["TIANMU_JWT_PREVIOUS_PUBLIC_KEYS"] = "-----BEGIN PUBLIC KEY-----\nold\n-----END PUBLIC KEY-----",
            ["TIANMU_APP_SERVER_KEYS"] = """{"wx0123456789abcdef":"server-key-from-the-environment-0123"}""",
            ["TIANMU_APP_PUSH_TOKENS"] = """{"wx0123456789abcdef":"push-token"}""",
            ["TIANMU_APP_PUSH_AES_KEYS"] = """{"wx0123456789abcdef":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}""",
        };

        var onlyRequired = await BuildParams(required);
        var withAll = await BuildParams(all);
        var withoutSecrets = await BuildParams(null);
        var shortServerKey = await BuildParams(new Dictionary<string, string>(all) { ["TIANMU_APP_SERVER_KEYS"] = """{"wx0123456789abcdef":"only-31-characters-long-0123456"}""" });
        var shortAesKey = await BuildParams(new Dictionary<string, string>(all) { ["TIANMU_APP_PUSH_AES_KEYS"] = """{"wx0123456789abcdef":"42-characters-0123456789012345678901234567"}""" });

        var defaults = Parameters(onlyRequired);
        Assert.Equal("from-the-environment", defaults.Str("appSecrets", "value", "wx0123456789abcdef"));
        Assert.Equal(required["TIANMU_JWT_PRIVATE_KEY"], defaults.Str("jwtPrivateKey", "value"));
        Assert.Equal("", defaults.Str("jwtPreviousPublicKeys", "value"));
        foreach (var name in new[] { "appServerKeys", "appPushTokens", "appPushAesKeys" })
        {
            Assert.Empty(defaults.Node(name, "value").AsObject());
        }

        var given = Parameters(withAll);
        Assert.Equal(all["TIANMU_JWT_PREVIOUS_PUBLIC_KEYS"], given.Str("jwtPreviousPublicKeys", "value"));
        Assert.Equal("server-key-from-the-environment-0123", given.Str("appServerKeys", "value", "wx0123456789abcdef"));
        Assert.Equal("push-token", given.Str("appPushTokens", "value", "wx0123456789abcdef"));
        Assert.Equal("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", given.Str("appPushAesKeys", "value", "wx0123456789abcdef"));

        Assert.NotEqual(0, withoutSecrets.ExitCode);
        Assert.Contains("BCP427", withoutSecrets.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, shortServerKey.ExitCode);
        Assert.Contains("minimum allowable length is 32", shortServerKey.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, shortAesKey.ExitCode);
        Assert.Contains("minimum allowable length is 43", shortAesKey.Output, StringComparison.Ordinal);
    }

    private Task<BicepResult> BuildParams(IReadOnlyDictionary<string, string>? environment) =>
        BicepCli.RunAsync(infra.WorkInfraDirectory, environment, "build-params", "main.bicepparam", "--stdout");

    private static JsonNode Parameters(BicepResult result)
    {
        Assert.True(result.ExitCode == 0 && result.StandardError.Length == 0, result.ToString());
        return JsonNode.Parse(JsonNode.Parse(result.StandardOutput)!.Str("parametersJson"))!.Node("parameters");
    }
}
