using System.Text.RegularExpressions;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests;

/// <summary>
/// The shape of the house (docs/ARCHITECTURE.md): feature folders of <c>Tianmu.Functions</c> depend on each other in
/// one direction only, the login reads without storage types, and the deployed app carries no WeChat simulator.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly string Source = Path.Combine(Repository.Root(), "src", "Tianmu.Functions");
    // The path of the contract outside the repository, spelled so that this file does not cite it.
    private static readonly string OutsideContract = string.Join('/', "shared", "spec");
    private static readonly string[] CheckedFolders = ["src", "tests", "bench", "sdk", "infra", "docs"];

    private static Dictionary<string, HashSet<string>> FolderImports()
    {
        var imports = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal) || !relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            var folder = relative[..relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal)];
            var used = imports.TryGetValue(folder, out var set) ? set : imports[folder] = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match match in FunctionsReference().Matches(File.ReadAllText(file)))
            {
                if (match.Groups[1].Value != folder)
                {
                    used.Add(match.Groups[1].Value);
                }
            }
        }

        return imports;
    }

    [Fact]
    public void No_feature_folder_imports_a_folder_that_imports_it_back()
    {
        var imports = FolderImports();
        Assert.True(imports.Count >= 8, "the folders were not found");

        // Depth-first search for a cycle of any length.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new Stack<string>();
        string? Visit(string folder)
        {
            state[folder] = 1;
            path.Push(folder);
            foreach (var next in imports.GetValueOrDefault(folder) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return string.Join(" -> ", path.Reverse().Append(next));
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.Pop();
            state[folder] = 2;
            return null;
        }

        foreach (var folder in imports.Keys)
        {
            if (state.GetValueOrDefault(folder) == 0 && Visit(folder) is { } cycle)
            {
                Assert.Fail("Feature folders import each other in a cycle: " + cycle);
            }
        }
    }

    [Fact]
    public void The_login_service_uses_no_storage_types_and_stays_short()
    {
        var text = File.ReadAllText(Path.Combine(Source, "Login", "LoginService.cs"));

        Assert.DoesNotContain("Azure.Data.Tables", text, StringComparison.Ordinal);
        Assert.DoesNotContain("TableTransactionAction", text, StringComparison.Ordinal);
        Assert.True(text.Split('\n').Length < 150, "LoginService.cs should read as validate, exchange, upsert, issue");
    }

    [Fact]
    public void The_deployed_app_carries_no_WeChat_simulator()
    {
        var files = Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        Assert.All(files, file => Assert.DoesNotContain("Simulator", File.ReadAllText(file), StringComparison.Ordinal));
        Assert.DoesNotContain("Simulator", File.ReadAllText(Path.Combine(Repository.Root(), "src", "Tianmu.WeChat", "Tianmu.WeChat.csproj")), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Repository.Root(), "src", "Tianmu.WeChat"), "*Simulat*", SearchOption.AllDirectories));
    }

    [Fact]
    public void No_file_cites_a_path_outside_the_repository()
    {
        var root = Repository.Root();
        var offenders = CheckedFolders
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(root, dir), "*.*", SearchOption.AllDirectories))
            .Append(Path.Combine(root, "README.md"))
            .Where(file => !file.Contains("node_modules", StringComparison.Ordinal)
                           && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                           && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                           && Path.GetExtension(file) is ".cs" or ".md" or ".js" or ".ts" or ".sh" or ".bicep" or ".json")
            .Where(file => File.ReadAllText(file).Contains(OutsideContract, StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(root, file))
            .ToList();

        Assert.Empty(offenders);
    }

    [GeneratedRegex(@"\bTianmu\.Functions\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex FunctionsReference();
}
