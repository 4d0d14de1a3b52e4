using Tianmu.Functions.Location;

namespace Tianmu.Functions.Tests.Location;

/// <summary>Checks the normalization against every record of the shipped database, not only samples.</summary>
public sealed class Ip2RegionDataScanTests
{
    /// <summary>Short names in the data that are short for a 市, so appending 市 is right for them.</summary>
    private static readonly HashSet<string> KnownShortCityNames =
    [
        "台北", "新北", "桃园", "台中", "台南", "高雄", "基隆", // 台湾省
        "济源", "儋州", "襄阳", "吐鲁番", "哈密", "山南", "日喀则", "昌都", "林芝", "那曲", "毕节", "铜仁", "海东",
    ];

    private static readonly string[] OfficialCitySuffixes = ["市", "自治州", "地区", "盟", "县", "区"];

    private static readonly HashSet<string> Municipalities = ["北京市", "天津市", "上海市", "重庆市"];

    [Fact]
    public void Every_record_normalizes_to_an_official_province_or_to_unknown()
    {
        var database = Ip2RegionDatabase.Load(Ip2RegionLocator.DefaultDatabasePath);
        var provinces = ChineseDivisionNames.Provinces.ToHashSet();
        var problems = new List<string>();
        var appended = new SortedSet<string>(StringComparer.Ordinal);
        var seenProvinces = new HashSet<string>();

        foreach (var record in database.Records)
        {
            var location = Ip2RegionLocator.ToLocation(record);
            Assert.Equal("", location.District);
            if (record.Country != "中国" || record.Province.Length == 0)
            {
                if (location != IpLocation.Unknown)
                {
                    problems.Add($"{record} should be unknown but is {location}");
                }

                continue;
            }

            seenProvinces.Add(location.Province);
            if (!provinces.Contains(location.Province))
            {
                problems.Add($"{record}: province '{location.Province}' is not official");
            }

            if (record.City.Length == 0)
            {
                if (location.City.Length != 0)
                {
                    problems.Add($"{record}: an unknown city became '{location.City}'");
                }

                continue;
            }

            if (!OfficialCitySuffixes.Any(s => location.City.EndsWith(s, StringComparison.Ordinal)))
            {
                problems.Add($"{record}: city '{location.City}' has no official suffix");
            }

            if (location.City == record.City + "市")
            {
                appended.Add(record.City);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{database.Records.Count} records, {database.RangeCount} ranges; 市 appended to: {string.Join(' ', appended)}");
        Assert.Empty(problems);
        Assert.Subset(KnownShortCityNames, appended.ToHashSet());
        Assert.Equal(34, seenProvinces.Count); // the data covers every provincial-level division
    }

    [Fact]
    public void Every_municipality_record_in_the_data_has_its_city()
    {
        // The data always writes municipalities with their city (北京|北京市); the locator's fallback of
        // municipality-as-city for an empty city never has to apply to it.
        var database = Ip2RegionDatabase.Load(Ip2RegionLocator.DefaultDatabasePath);

        var municipalityRecords = database.Records
            .Where(r => r.Country == "中国" && Municipalities.Contains(ChineseDivisionNames.Province(r.Province)))
            .ToList();

        Assert.NotEmpty(municipalityRecords);
        Assert.All(municipalityRecords, r => Assert.Equal(ChineseDivisionNames.Province(r.Province), r.City));
    }

    [Theory]
    [InlineData("北京", "北京市")]
    [InlineData("上海市", "上海市")]
    [InlineData("广西", "广西壮族自治区")]
    [InlineData("广西自治区", "广西壮族自治区")]
    [InlineData("内蒙古", "内蒙古自治区")]
    [InlineData("新疆", "新疆维吾尔自治区")]
    [InlineData("西藏", "西藏自治区")]
    [InlineData("宁夏", "宁夏回族自治区")]
    [InlineData("香港", "香港特别行政区")]
    [InlineData("澳门", "澳门特别行政区")]
    [InlineData("台湾", "台湾省")]
    [InlineData("江苏", "江苏省")]
    [InlineData("江苏省", "江苏省")]
    [InlineData("黑龙江", "黑龙江省")]
    [InlineData("加利福尼亚", "")]
    [InlineData("", "")]
    public void Province_names_normalize_to_official_names(string name, string official) =>
        Assert.Equal(official, ChineseDivisionNames.Province(name));

    [Theory]
    [InlineData("北京市", "", "北京市")]
    [InlineData("广东省", "", "")]
    [InlineData("广东省", "广州", "广州市")]
    [InlineData("浙江省", "杭州", "杭州市")]
    [InlineData("广东省", "广州市", "广州市")]
    [InlineData("吉林省", "延边", "延边朝鲜族自治州")]
    [InlineData("吉林省", "延边朝鲜族自治州", "延边朝鲜族自治州")]
    [InlineData("西藏自治区", "阿里地区", "阿里地区")]
    [InlineData("内蒙古自治区", "兴安盟", "兴安盟")]
    [InlineData("台湾省", "嘉义县", "嘉义县")]
    [InlineData("香港特别行政区", "沙田", "沙田区")]
    public void City_names_normalize_to_official_names(string province, string name, string official) =>
        Assert.Equal(official, ChineseDivisionNames.City(province, name));

    [Fact]
    public void There_are_34_official_provincial_level_divisions() =>
        Assert.Equal(34, ChineseDivisionNames.Provinces.Distinct().Count());
}
