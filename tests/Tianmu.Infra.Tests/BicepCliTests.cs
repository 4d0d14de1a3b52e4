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
    [InlineData("output leakedKey string = jwtSigningKey", "outputs-should-not-contain-secrets")]
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
        var secrets = new Dictionary<string, string>
        {
            ["TIANMU_APP_SECRETS"] = """{"wx0123456789abcdef":"from-the-environment"}""",
            ["TIANMU_JWT_SIGNING_KEY"] = "from-the-environment-0123456789abcdef",
        };

        var withSecrets = await BicepCli.RunAsync(infra.WorkInfraDirectory, secrets, "build-params", "main.bicepparam", "--stdout");
        var withoutSecrets = await BicepCli.RunAsync(infra.WorkInfraDirectory, null, "build-params", "main.bicepparam", "--stdout");
        var shortKey = await BicepCli.RunAsync(
            infra.WorkInfraDirectory,
            new Dictionary<string, string>(secrets) { ["TIANMU_JWT_SIGNING_KEY"] = "only-31-characters-long-0123456" },
            "build-params", "main.bicepparam", "--stdout");

        Assert.True(withSecrets.ExitCode == 0 && withSecrets.StandardError.Length == 0, withSecrets.ToString());
        var parameters = JsonNode.Parse(JsonNode.Parse(withSecrets.StandardOutput)!.Str("parametersJson"))!.Node("parameters");
        Assert.Equal("from-the-environment", parameters.Str("appSecrets", "value", "wx0123456789abcdef"));
        Assert.Equal("from-the-environment-0123456789abcdef", parameters.Str("jwtSigningKey", "value"));
        Assert.NotEqual(0, withoutSecrets.ExitCode);
        Assert.Contains("BCP427", withoutSecrets.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, shortKey.ExitCode);
        Assert.Contains("minimum allowable length is 32", shortKey.Output, StringComparison.Ordinal);
    }
}
