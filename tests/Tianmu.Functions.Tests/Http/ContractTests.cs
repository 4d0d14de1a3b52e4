using System.Globalization;
using System.Text.RegularExpressions;
using Tianmu.Functions.Http;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Http;

/// <summary>Holds the code's error table to the contract's (docs/API.md, "Conventions"), row by row and keyed by code.</summary>
public sealed partial class ContractTests
{
    [Fact]
    public void The_error_table_in_code_is_the_error_table_of_the_contract()
    {
        var contract = Path.Combine(Repository.Root(), "docs", "API.md");

        var rows = ErrorRow().Matches(File.ReadAllText(contract))
            .Select(m => (Status: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Code: m.Groups[2].Value))
            .OrderBy(row => row.Code, StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(rows);
        Assert.Equal(rows, ApiErrors.All.Select(e => (e.Status, e.Code)).OrderBy(row => row.Code, StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void Every_error_code_has_exactly_one_row()
    {
        Assert.Equal(Enum.GetValues<ApiErrorCode>().Length, ApiErrors.All.Select(e => e.Code).Distinct(StringComparer.Ordinal).Count());
        Assert.All(Enum.GetValues<ApiErrorCode>(), code => Assert.NotNull(ApiErrors.Describe(code)));
    }

    [GeneratedRegex(@"^\| (\d{3}) \| `([a-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex ErrorRow();
}
