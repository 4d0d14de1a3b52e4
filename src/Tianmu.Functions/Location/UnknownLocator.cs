namespace Tianmu.Functions.Location;

// TEMPORARY until the ip2region reader lands.
public sealed class Ip2RegionLocator : IIpLocator
{
    public IpLocation Locate(System.Net.IPAddress? address) => IpLocation.Unknown;
}
