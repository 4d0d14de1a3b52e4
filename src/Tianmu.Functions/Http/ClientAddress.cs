using System.Net;
using Microsoft.AspNetCore.Http;

namespace Tianmu.Functions.Http;

/// <summary>
/// The client's address for location only (docs/API.md, "Client IP"): the peer, or the first parseable
/// <c>X-Forwarded-For</c> entry when the deployment says its front end is the peer. Never for security.
/// </summary>
public static class ClientAddress
{
    public static IPAddress? Resolve(HttpRequest request, bool trustForwardedFor)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (trustForwardedFor)
        {
            foreach (var value in request.Headers["X-Forwarded-For"])
            {
                if (value is not null && FirstAddress(value) is { } forwarded)
                {
                    return Normalize(forwarded);
                }
            }
        }

        return request.HttpContext.Connection.RemoteIpAddress is { } peer ? Normalize(peer) : null;
    }

    /// <summary>The first comma-separated entry that parses once a <c>:port</c> suffix and brackets are removed.</summary>
    public static IPAddress? FirstAddress(ReadOnlySpan<char> header)
    {
        foreach (var range in header.Split(','))
        {
            var entry = header[range].Trim();
            if (TryParseEntry(entry, out var address))
            {
                return address;
            }
        }

        return null;
    }

    private static bool TryParseEntry(ReadOnlySpan<char> entry, out IPAddress? address)
    {
        address = null;
        if (entry.IsEmpty)
        {
            return false;
        }

        if (entry[0] == '[')
        {
            // [v6] or [v6]:port
            var close = entry.IndexOf(']');
            return close > 1 && IPAddress.TryParse(entry[1..close], out address);
        }

        if (IPAddress.TryParse(entry, out address))
        {
            return true;
        }

        // v4:port (a bare v6 address has several colons and parsed above).
        var colon = entry.LastIndexOf(':');
        return colon > 0 && entry.IndexOf(':') == colon && IPAddress.TryParse(entry[..colon], out address);
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
