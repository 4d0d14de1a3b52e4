using System.Net;
using Microsoft.AspNetCore.Http;

namespace Tianmu.Functions.Http;

/// <summary>
/// The client's address (docs/API.md, "Client IP"): the peer, or, when the deployment says its front end is the peer,
/// the <c>X-Forwarded-For</c> entry at position <c>Tianmu__Http__ForwardedHops</c> counted <b>from the right</b> (the
/// entry the last trusted proxy appended). Entries further left were written by the client and are never read, so a
/// client cannot choose its location or dodge the per-IP login limit. For location and that limit only, never for an
/// authorization decision.
/// </summary>
public static class ClientAddress
{
    /// <summary>The client address, or null when it is unknown.</summary>
    /// <param name="request">The request.</param>
    /// <param name="trustForwardedFor"><c>Tianmu__Http__TrustForwardedFor</c>.</param>
    /// <param name="forwardedHops"><c>Tianmu__Http__ForwardedHops</c>: 1 is the rightmost entry.</param>
    public static IPAddress? Resolve(HttpRequest request, bool trustForwardedFor, int forwardedHops = 1)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (trustForwardedFor)
        {
            // Several X-Forwarded-For headers read as one list, in order (RFC 9110, 5.3).
            var header = string.Join(',', request.Headers["X-Forwarded-For"].Where(value => value is not null));
            return FromRight(header, forwardedHops);
        }

        return request.HttpContext.Connection.RemoteIpAddress is { } peer ? Normalize(peer) : null;
    }

    /// <summary>
    /// The entry at <paramref name="hops"/> from the right of a comma-separated list, once a <c>:port</c> suffix and
    /// IPv6 brackets are removed; null when the list is shorter or that entry does not parse. IPv4-mapped IPv6
    /// addresses come back as IPv4.
    /// </summary>
    public static IPAddress? FromRight(ReadOnlySpan<char> header, int hops)
    {
        if (hops < 1)
        {
            return null;
        }

        var remaining = header;
        for (var hop = 1; ; hop++)
        {
            var comma = remaining.LastIndexOf(',');
            var entry = remaining[(comma + 1)..].Trim();
            if (hop == hops)
            {
                return entry.Length > 0 && TryParseEntry(entry, out var address) && address is not null ? Normalize(address) : null;
            }

            if (comma < 0)
            {
                return null;
            }

            remaining = remaining[..comma];
        }
    }

    // One entry: "1.2.3.4", "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]" or "[2001:db8::1]:5678". IPv4 must be
    // dotted-quad decimal: IPAddress.TryParse also takes "1", "0x7f.1" and other forms no proxy writes.
    private static bool TryParseEntry(ReadOnlySpan<char> entry, out IPAddress? address)
    {
        address = null;
        if (entry[0] == '[')
        {
            var close = entry.IndexOf(']');
            return close > 1
                   && (close == entry.Length - 1 || (entry[close + 1] == ':' && IsPort(entry[(close + 2)..])))
                   && IPAddress.TryParse(entry[1..close], out address)
                   && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        var colon = entry.IndexOf(':');
        if (colon >= 0 && entry.LastIndexOf(':') != colon)
        {
            // Several colons: a bare IPv6 address.
            return IPAddress.TryParse(entry, out address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        var host = colon < 0 ? entry : entry[..colon];
        return (colon < 0 || IsPort(entry[(colon + 1)..])) && IsDottedQuad(host) && IPAddress.TryParse(host, out address);
    }

    private static bool IsPort(ReadOnlySpan<char> text) =>
        text.Length is > 0 and <= 5 && !text.ContainsAnyExceptInRange('0', '9');

    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (part.Length is 0 or > 3 || part.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }

            parts++;
        }

        return parts == 4;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
