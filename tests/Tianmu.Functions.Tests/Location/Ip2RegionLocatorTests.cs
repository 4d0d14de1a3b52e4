using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tianmu.Functions.Location;

namespace Tianmu.Functions.Tests.Location;

/// <summary>The locator over the real database that the Functions project ships.</summary>
public sealed class ShippedIp2RegionLocator
{
    public Ip2RegionLocator Locator { get; } = new();
}

public sealed class Ip2RegionLocatorTests(ShippedIp2RegionLocator shipped) : IClassFixture<ShippedIp2RegionLocator>
{
    private readonly Ip2RegionLocator _locator = shipped.Locator;

    [Theory]
    [InlineData("202.96.128.86", "广东省", "广州市")]
    [InlineData("210.21.196.6", "广东省", "深圳市")]
    [InlineData("61.139.2.69", "四川省", "成都市")]
    [InlineData("218.30.19.40", "陕西省", "西安市")]
    public void Chinese_address_locates_to_official_province_and_city(string address, string province, string city) =>
        Assert.Equal(new IpLocation(province, city, ""), _locator.Locate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("101.226.4.6", "上海市", "上海市")]      // data: 上海|上海市
    [InlineData("202.106.0.20", "北京市", "北京市")]     // data: 北京|北京市 (Beijing Unicom DNS)
    [InlineData("202.103.224.68", "广西壮族自治区", "南宁市")] // data: 广西|南宁市 (Guangxi Telecom DNS)
    [InlineData("110.153.128.1", "新疆维吾尔自治区", "伊犁哈萨克自治州")] // data: 新疆|伊犁
    [InlineData("1.180.216.1", "内蒙古自治区", "锡林郭勒盟")] // data: 内蒙古|锡林郭勒
    public void Short_province_and_prefecture_names_are_expanded(string address, string province, string city) =>
        Assert.Equal(new IpLocation(province, city, ""), _locator.Locate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("110.167.0.1", "青海省", "海南藏族自治州")] // data: 青海省|海南 — the prefecture, not the province
    [InlineData("112.67.32.1", "海南省", "儋州市")]         // data: 海南省|儋州 — a bare 州 is not a suffix
    public void Ambiguous_short_city_names_are_resolved_within_their_province(string address, string province, string city) =>
        Assert.Equal(new IpLocation(province, city, ""), _locator.Locate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]        // 美国
    [InlineData("1.1.1.1")]        // outside China
    public void Address_outside_China_is_unknown(string address) =>
        Assert.Same(IpLocation.Unknown, _locator.Locate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("10.1.2.3")]
    [InlineData("100.64.0.1")]      // carrier-grade NAT
    [InlineData("100.127.255.254")] // carrier-grade NAT
    [InlineData("127.0.0.1")]
    [InlineData("169.254.10.20")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.2.1")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("224.0.0.251")]     // multicast
    [InlineData("239.255.255.250")] // multicast
    [InlineData("240.0.0.1")]       // reserved
    [InlineData("255.255.255.255")] // broadcast
    public void Private_loopback_and_other_special_IPv4_addresses_are_unknown(string address) =>
        Assert.Same(IpLocation.Unknown, _locator.Locate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("100.63.255.255")] // below 100.64.0.0/10
    [InlineData("100.128.0.0")]    // above 100.64.0.0/10
    [InlineData("172.15.255.255")] // below 172.16.0.0/12
    [InlineData("172.32.0.0")]     // above 172.16.0.0/12
    [InlineData("1.0.0.0")]        // above 0.0.0.0/8
    [InlineData("223.255.255.255")] // below multicast
    [InlineData("202.96.128.86")]
    public void Neighbours_of_special_ranges_are_public(string address) =>
        Assert.True(Ip2RegionLocator.IsPublic(ToUInt32(IPAddress.Parse(address))));

    [Theory]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("2400:3200::1")]       // a Chinese IPv6 address
    [InlineData("240e:1:2::3")]        // China Telecom IPv6
    [InlineData("::202.96.128.86")]    // IPv4-compatible (deprecated), not IPv4-mapped
    [InlineData("2002:ca60:8056::1")]  // 6to4 of 202.96.128.86
    [InlineData("64:ff9b::ca60:8056")] // NAT64 of 202.96.128.86
    public void IPv6_address_is_unknown(string address) =>
        Assert.Same(IpLocation.Unknown, _locator.Locate(IPAddress.Parse(address)));

    [Fact]
    public void IPv4_mapped_IPv6_address_locates_as_IPv4() =>
        Assert.Equal(new IpLocation("广东省", "广州市", ""), _locator.Locate(IPAddress.Parse("::ffff:202.96.128.86")));

    [Fact]
    public void IPv4_mapped_private_address_is_unknown() =>
        Assert.Same(IpLocation.Unknown, _locator.Locate(IPAddress.Parse("::ffff:192.168.1.1")));

    [Fact]
    public void Null_address_is_unknown() => Assert.Same(IpLocation.Unknown, _locator.Locate(null));

    [Fact]
    public void Lookups_allocate_nothing()
    {
        IPAddress[] addresses =
        [
            IPAddress.Parse("202.96.128.86"), IPAddress.Parse("8.8.8.8"), IPAddress.Parse("10.0.0.1"),
            IPAddress.Parse("::ffff:61.139.2.69"), IPAddress.Parse("2400:3200::1"),
        ];
        foreach (var address in addresses)
        {
            _locator.Locate(address); // warm up
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            _locator.Locate(addresses[i % addresses.Length]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Default_database_path_is_data_folder_beside_the_app() =>
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "data", "ip2region.db"), Ip2RegionLocator.DefaultDatabasePath);

    [Fact]
    public void Type_registration_resolves_with_the_shipped_database()
    {
        using var services = new ServiceCollection().AddSingleton<IIpLocator, Ip2RegionLocator>().BuildServiceProvider();

        var locator = services.GetRequiredService<IIpLocator>();

        Assert.Same(locator, services.GetRequiredService<IIpLocator>());
        Assert.Equal("广州市", locator.Locate(IPAddress.Parse("202.96.128.86")).City);
    }

    private static uint ToUInt32(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
    }
}
