using System.Collections.Frozen;

namespace Tianmu.Functions.Location;

/// <summary>
/// Turns the province and city names of IP data into full official names: ip2region writes municipalities and
/// autonomous regions short (<c>北京</c>, <c>广西</c>) and most autonomous prefectures, leagues and regions
/// short too (<c>延边</c>, <c>锡林郭勒</c>, <c>喀什</c>), while the contract wants <c>北京市</c>, <c>广西壮族自治区</c>,
/// <c>延边朝鲜族自治州</c>.
/// </summary>
internal static class ChineseDivisionNames
{
    /// <summary>The 34 provincial-level divisions, official name by short name.</summary>
    private static readonly FrozenDictionary<string, string> ProvinceByShortName = new Dictionary<string, string>
    {
        ["北京"] = "北京市",
        ["天津"] = "天津市",
        ["上海"] = "上海市",
        ["重庆"] = "重庆市",
        ["河北"] = "河北省",
        ["山西"] = "山西省",
        ["辽宁"] = "辽宁省",
        ["吉林"] = "吉林省",
        ["黑龙江"] = "黑龙江省",
        ["江苏"] = "江苏省",
        ["浙江"] = "浙江省",
        ["安徽"] = "安徽省",
        ["福建"] = "福建省",
        ["江西"] = "江西省",
        ["山东"] = "山东省",
        ["河南"] = "河南省",
        ["湖北"] = "湖北省",
        ["湖南"] = "湖南省",
        ["广东"] = "广东省",
        ["海南"] = "海南省",
        ["四川"] = "四川省",
        ["贵州"] = "贵州省",
        ["云南"] = "云南省",
        ["陕西"] = "陕西省",
        ["甘肃"] = "甘肃省",
        ["青海"] = "青海省",
        ["台湾"] = "台湾省",
        ["内蒙古"] = "内蒙古自治区",
        ["广西"] = "广西壮族自治区",
        ["西藏"] = "西藏自治区",
        ["宁夏"] = "宁夏回族自治区",
        ["新疆"] = "新疆维吾尔自治区",
        ["香港"] = "香港特别行政区",
        ["澳门"] = "澳门特别行政区",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Official name by itself, short name, and the half-official forms seen in IP data (<c>广西自治区</c>).</summary>
    private static readonly FrozenDictionary<string, string> ProvinceByAnyName = BuildProvinceLookup();

    private static readonly FrozenSet<string> Municipalities =
        new[] { "北京市", "天津市", "上海市", "重庆市" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Prefecture-level divisions that the data writes short and whose official name is not the short name + 市,
    /// keyed by official province and short name (<c>海南</c> is a prefecture of 青海省 as well as a province).
    /// Names that are short for a 市 (<c>襄阳</c>, <c>日喀则</c>, <c>儋州</c>, <c>台北</c>) take the default suffix.
    /// </summary>
    private static readonly FrozenDictionary<string, string> CityByProvinceAndShortName = new Dictionary<string, string>
    {
        // Autonomous prefectures (自治州)
        [Key("吉林省", "延边")] = "延边朝鲜族自治州",
        [Key("湖北省", "恩施")] = "恩施土家族苗族自治州",
        [Key("湖南省", "湘西")] = "湘西土家族苗族自治州",
        [Key("四川省", "阿坝")] = "阿坝藏族羌族自治州",
        [Key("四川省", "甘孜")] = "甘孜藏族自治州",
        [Key("四川省", "凉山")] = "凉山彝族自治州",
        [Key("贵州省", "黔西南")] = "黔西南布依族苗族自治州",
        [Key("贵州省", "黔东南")] = "黔东南苗族侗族自治州",
        [Key("贵州省", "黔南")] = "黔南布依族苗族自治州",
        [Key("云南省", "楚雄")] = "楚雄彝族自治州",
        [Key("云南省", "红河")] = "红河哈尼族彝族自治州",
        [Key("云南省", "文山")] = "文山壮族苗族自治州",
        [Key("云南省", "西双版纳")] = "西双版纳傣族自治州",
        [Key("云南省", "大理")] = "大理白族自治州",
        [Key("云南省", "德宏")] = "德宏傣族景颇族自治州",
        [Key("云南省", "怒江")] = "怒江傈僳族自治州",
        [Key("云南省", "迪庆")] = "迪庆藏族自治州",
        [Key("甘肃省", "临夏")] = "临夏回族自治州",
        [Key("甘肃省", "甘南")] = "甘南藏族自治州",
        [Key("青海省", "海北")] = "海北藏族自治州",
        [Key("青海省", "黄南")] = "黄南藏族自治州",
        [Key("青海省", "海南")] = "海南藏族自治州",
        [Key("青海省", "果洛")] = "果洛藏族自治州",
        [Key("青海省", "玉树")] = "玉树藏族自治州",
        [Key("青海省", "海西")] = "海西蒙古族藏族自治州",
        [Key("新疆维吾尔自治区", "昌吉")] = "昌吉回族自治州",
        [Key("新疆维吾尔自治区", "博尔塔拉")] = "博尔塔拉蒙古自治州",
        [Key("新疆维吾尔自治区", "巴音郭楞")] = "巴音郭楞蒙古自治州",
        [Key("新疆维吾尔自治区", "克孜勒苏")] = "克孜勒苏柯尔克孜自治州",
        [Key("新疆维吾尔自治区", "伊犁")] = "伊犁哈萨克自治州",

        // Regions (地区) and leagues (盟)
        [Key("黑龙江省", "大兴安岭")] = "大兴安岭地区",
        [Key("西藏自治区", "阿里")] = "阿里地区",
        [Key("新疆维吾尔自治区", "阿克苏")] = "阿克苏地区",
        [Key("新疆维吾尔自治区", "喀什")] = "喀什地区",
        [Key("新疆维吾尔自治区", "和田")] = "和田地区",
        [Key("新疆维吾尔自治区", "塔城")] = "塔城地区",
        [Key("新疆维吾尔自治区", "阿勒泰")] = "阿勒泰地区",
        [Key("内蒙古自治区", "兴安")] = "兴安盟",
        [Key("内蒙古自治区", "锡林郭勒")] = "锡林郭勒盟",
        [Key("内蒙古自治区", "阿拉善")] = "阿拉善盟",

        // Hong Kong's 18 districts (区)
        [Key("香港特别行政区", "中西")] = "中西区",
        [Key("香港特别行政区", "湾仔")] = "湾仔区",
        [Key("香港特别行政区", "东区")] = "东区",
        [Key("香港特别行政区", "南区")] = "南区",
        [Key("香港特别行政区", "油尖旺")] = "油尖旺区",
        [Key("香港特别行政区", "深水埗")] = "深水埗区",
        [Key("香港特别行政区", "九龙城")] = "九龙城区",
        [Key("香港特别行政区", "黄大仙")] = "黄大仙区",
        [Key("香港特别行政区", "观塘")] = "观塘区",
        [Key("香港特别行政区", "荃湾")] = "荃湾区",
        [Key("香港特别行政区", "屯门")] = "屯门区",
        [Key("香港特别行政区", "元朗")] = "元朗区",
        [Key("香港特别行政区", "北区")] = "北区",
        [Key("香港特别行政区", "大埔")] = "大埔区",
        [Key("香港特别行政区", "西贡")] = "西贡区",
        [Key("香港特别行政区", "沙田")] = "沙田区",
        [Key("香港特别行政区", "葵青")] = "葵青区",
        [Key("香港特别行政区", "离岛")] = "离岛区",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Endings that mark a name as already official. Not a bare 州: 儋州 and 杭州 are short for 儋州市 and 杭州市.</summary>
    private static readonly string[] OfficialCitySuffixes = ["市", "自治州", "地区", "盟", "县", "区"];

    /// <summary>The official names of the 34 provincial-level divisions.</summary>
    public static IReadOnlyCollection<string> Provinces => ProvinceByShortName.Values;

    /// <summary>The official name of a provincial-level division, or <c>""</c> when the name is not one of them.</summary>
    public static string Province(string name) =>
        ProvinceByAnyName.TryGetValue(name.Trim(), out var official) ? official : string.Empty;

    /// <summary>
    /// The official name of a prefecture-level city (or of a Hong Kong district) in an official <paramref name="province"/>;
    /// <c>""</c> for an empty name. A municipality is its own city, so an empty city there reads as the municipality.
    /// </summary>
    public static string City(string province, string name)
    {
        name = name.Trim();
        if (name.Length == 0)
        {
            return Municipalities.Contains(province) ? province : string.Empty;
        }

        if (CityByProvinceAndShortName.TryGetValue(Key(province, name), out var official))
        {
            return official;
        }

        foreach (var suffix in OfficialCitySuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return name;
            }
        }

        return name + "市";
    }

    private static string Key(string province, string city) => province + "|" + city;

    private static FrozenDictionary<string, string> BuildProvinceLookup()
    {
        var lookup = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (shortName, official) in ProvinceByShortName)
        {
            lookup[shortName] = official;
            lookup[official] = official;
            if (official.EndsWith("自治区", StringComparison.Ordinal))
            {
                lookup[shortName + "自治区"] = official;
            }
        }

        return lookup.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
