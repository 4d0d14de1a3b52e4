using System.Text.Json.Nodes;

[assembly: AssemblyFixture(typeof(Tianmu.Infra.Tests.InfraFixture))]

namespace Tianmu.Infra.Tests;

/// <summary>
/// Compiles and lints infra/main.bicep once, and evaluates it locally (<c>bicep snapshot</c>) with the test parameters
/// below, for a fixed subscription and resource group. The snapshot lists every resource a deployment would create,
/// loops expanded and deployment-time expressions evaluated; values known only in Azure stay ARM expressions.
/// </summary>
public sealed class InfraFixture : IAsyncLifetime
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000aaaa";
    public const string TenantId = "00000000-0000-0000-0000-00000000bbbb";
    public const string ResourceGroup = "rg-tianmu-test";
    public const string Location = "eastasia";

    /// <summary>Two apps, one with an underscore (allowed in app ids, not in Key Vault secret names).</summary>
    public static readonly string[] AppIds = ["wx0123456789abcdef", "wx_second_app"];

    /// <summary>Not a real key: the template only checks that it looks like PEM PKCS#8, and the snapshot keeps secure values as references.</summary>
    private const string JwtPrivateKeyValue = "-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\\n-----END PRIVATE KEY-----";

    private static readonly string[] AppSecretValues = ["test-secret-value-one", "test-secret-value-two"];

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("tianmu-infra-").FullName;

    public BicepResult Build { get; private set; } = null!;

    public BicepResult Lint { get; private set; } = null!;

    /// <summary>The compiled ARM template (languageVersion 2.0: resources keyed by symbolic name, modules nested).</summary>
    public JsonObject Template { get; private set; } = null!;

    public Snapshot Snapshot { get; private set; } = null!;

    /// <summary>The same deployment with every optional secret given: retired public keys, a server key for the first
    /// app, a push token and EncodingAESKey for the second.</summary>
    public Snapshot SnapshotWithOptionalSecrets { get; private set; } = null!;

    public const string OptionalSecretParameters = """
        param jwtPreviousPublicKeys = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----'
        param appServerKeys = { wx0123456789abcdef: 'test-server-key-that-is-long-enough-0123456789' }
        param appPushTokens = { wx_second_app: 'test-push-token' }
        param appPushAesKeys = { wx_second_app: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' }
        """;

    /// <summary>A copy of infra/ in a temporary directory, for commands that write files beside their input.</summary>
    public string WorkInfraDirectory => Path.Combine(_workDirectory, "infra");

    public async ValueTask InitializeAsync()
    {
        CopyDirectory(BicepCli.InfraDirectory, WorkInfraDirectory);

        var build = BicepCli.RunAsync(BicepCli.InfraDirectory, null, "build", "main.bicep", "--stdout");
        var lint = BicepCli.RunAsync(BicepCli.InfraDirectory, null, "lint", "main.bicep");
        var snapshot = SnapshotAsync(ResourceGroup);
        var withOptionalSecrets = SnapshotAsync(ResourceGroup, moreParameters: OptionalSecretParameters);
        Build = await build;
        Lint = await lint;
        Template = Build.ExitCode == 0
            ? JsonNode.Parse(Build.StandardOutput)!.AsObject()
            : throw new InvalidOperationException($"bicep build failed: {Build}");
        Snapshot = await snapshot;
        SnapshotWithOptionalSecrets = await withOptionalSecrets;
    }

    /// <summary>Evaluates the template with the test parameters as if deployed into <paramref name="resourceGroup"/>.</summary>
    /// <param name="resourceGroup">The resource group deployed into.</param>
    /// <param name="namePrefix">The namePrefix parameter.</param>
    /// <param name="moreParameters">Further <c>param</c> lines of the parameters file.</param>
    public async Task<Snapshot> SnapshotAsync(string resourceGroup, string namePrefix = "tianmu", string moreParameters = "")
    {
        // A file of its own per call: tests snapshot in parallel, and the snapshot is written beside the parameters.
        var parametersFile = $"{resourceGroup}-{namePrefix}-{Guid.NewGuid():N}.bicepparam";
        var secrets = string.Join('\n', AppIds.Select((id, i) => $"  {id}: '{AppSecretValues[i]}'"));
        await File.WriteAllTextAsync(Path.Combine(WorkInfraDirectory, parametersFile), $"""
            using 'main.bicep'

            param namePrefix = '{namePrefix}'
            param appIds = [{string.Join(", ", AppIds.Select(id => $"'{id}'"))}]
            param appSecrets = {"{"}
            {secrets}
            {"}"}
            param jwtPrivateKey = '{JwtPrivateKeyValue}'
            {moreParameters}

            """);
        var result = await BicepCli.RunAsync(
            WorkInfraDirectory,
            null,
            "snapshot", parametersFile, "--mode", "overwrite",
            "--subscription-id", SubscriptionId, "--tenant-id", TenantId,
            "--resource-group", resourceGroup, "--location", Location, "--deployment-name", "tianmu-test");
        if (result.ExitCode != 0 || result.Output.Length > 0)
        {
            throw new InvalidOperationException($"bicep snapshot failed: {result}");
        }

        var snapshotFile = Path.Combine(WorkInfraDirectory, Path.ChangeExtension(parametersFile, ".snapshot.json"));
        return new Snapshot(JsonNode.Parse(await File.ReadAllTextAsync(snapshotFile))!.AsObject());
    }

    /// <summary>The nested template of a module of main.bicep, by its symbolic name.</summary>
    public JsonObject ModuleTemplate(string symbolicName) => Module(symbolicName).Node("properties", "template").AsObject();

    /// <summary>The deployment resource of a module of main.bicep, by its symbolic name.</summary>
    public JsonObject Module(string symbolicName) => Template.Node("resources", symbolicName).AsObject();

    /// <summary>main.bicep's template and every module template, with a label for messages.</summary>
    public IEnumerable<(string Name, JsonObject Template)> AllTemplates()
    {
        yield return ("main", Template);
        foreach (var module in Template.Resources().Where(r => r.Str("type") == "Microsoft.Resources/deployments"))
        {
            yield return (module.Str("name"), module.Node("properties", "template").AsObject());
        }
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_workDirectory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}

/// <summary>What <c>bicep snapshot</c> predicts a deployment creates.</summary>
public sealed class Snapshot(JsonObject root)
{
    public IReadOnlyList<JsonObject> Resources { get; } = root.Node("predictedResources").AsArray().Select(r => r!.AsObject()).ToList();

    public JsonObject Outputs { get; } = root.Node("outputs").AsObject();

    public IEnumerable<JsonObject> OfType(string type) => Resources.Where(r => string.Equals(r.Str("type"), type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Only(string type) => Assert.Single(OfType(type));

    public string Id(string type) => Only(type).Str("id");

    /// <summary>The storage account of the host, the package and the profiles table (every account but the avatars').</summary>
    public JsonObject ProfilesStorage => Assert.Single(OfType("Microsoft.Storage/storageAccounts"), a => !IsAvatarAccount(a));

    /// <summary>The storage account that holds nothing but avatar images.</summary>
    public JsonObject AvatarStorage => Assert.Single(OfType("Microsoft.Storage/storageAccounts"), IsAvatarAccount);

    private static bool IsAvatarAccount(JsonObject account) => account.Str("name").StartsWith("stav", StringComparison.Ordinal);
}

public static class JsonExtensions
{
    /// <summary>The node at a path of property names; fails the test, naming the path, when it is absent.</summary>
    public static JsonNode Node(this JsonNode node, params string[] path)
    {
        var current = node;
        foreach (var name in path)
        {
            current = current.AsObject()[name] ?? throw new Xunit.Sdk.XunitException($"No '{name}' in {string.Join('.', path)} of {Shorten(node)}");
        }

        return current;
    }

    public static string Str(this JsonNode node, params string[] path) => node.Node(path).GetValue<string>();

    /// <summary>The resources of a compiled template, whether listed (languageVersion 1) or keyed by symbolic name (2.0).</summary>
    public static IEnumerable<JsonObject> Resources(this JsonObject template) =>
        template.Node("resources") switch
        {
            JsonArray list => list.Select(r => r!.AsObject()),
            JsonObject bySymbol => bySymbol.Select(r => r.Value!.AsObject()),
            var other => throw new Xunit.Sdk.XunitException($"Unexpected resources: {other.ToJsonString()}"),
        };

    private static string Shorten(JsonNode node)
    {
        var text = node.ToJsonString();
        return text.Length > 300 ? text[..300] + "…" : text;
    }
}
