using System.Net;

namespace Tianmu.Functions.Location;

/// <summary>Where a login came from, in Chinese official names; empty strings when unknown.</summary>
public sealed record IpLocation(string Province, string City, string District)
{
    public static IpLocation Unknown { get; } = new(string.Empty, string.Empty, string.Empty);
}

/// <summary>Offline IP → location lookup. Never calls the network; never throws for any address.</summary>
public interface IIpLocator
{
    IpLocation Locate(IPAddress? address);
}
