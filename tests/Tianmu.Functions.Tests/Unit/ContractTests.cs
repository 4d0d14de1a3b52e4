using System.Text.RegularExpressions;
using Tianmu.Functions.Http;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Unit;

/// <summary>Holds the code's error table to the contract's (shared/spec/API.md, beside the repository).</summary>
public sealed partial class ContractTests
{
    [Fact]
    public void The_error_table_in_code_is_the_error_table_of_the_contract()
    {
        var contract = Path.GetFullPath(Path.Combine(Repository.Root(), "..", "shared", "spec", "API.md"));
        Assert.SkipUnless(File.Exists(contract), $"The contract is not beside this checkout ({contract}).");

        var rows = ErrorRow().Matches(File.ReadAllText(contract))
            .Select(m => (Status: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Code: m.Groups[2].Value))
            .ToList();

        Assert.Equal(13, rows.Count);
        Assert.Equal(rows, ApiErrors.All.Select(e => (e.Status, e.Code)).ToList());
    }

    [GeneratedRegex(@"^\| (\d{3}) \| `([a-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex ErrorRow();
}
