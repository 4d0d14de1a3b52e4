using System.Net;
using Microsoft.AspNetCore.Http;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Tests.Http;

/// <summary>docs/API.md, "Client IP": X-Forwarded-For is read from the right, at Tianmu__Http__ForwardedHops.</summary>
public sealed class ClientAddressTests
{
    private static HttpRequest Request(string? forwardedFor, string peer = "10.0.0.7")
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        return context.Request;
    }

    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData("1.2.3.4:5678", "1.2.3.4")]
    [InlineData("9.9.9.9, 1.2.3.4:5678", "1.2.3.4")]
    [InlineData("spoofed, 5.6.7.8", "5.6.7.8")]
    [InlineData("[2001:db8::1]:443", "2001:db8::1")]
    [InlineData("[2001:db8::1]", "2001:db8::1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("::ffff:202.96.128.86", "202.96.128.86")]
    [InlineData("[::ffff:202.96.128.86]:80", "202.96.128.86")]
    public void The_rightmost_entry_is_the_client_when_trusted_with_one_hop(string header, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), ClientAddress.Resolve(Request(header), trustForwardedFor: true, forwardedHops: 1));
    }

    [Fact]
    public void A_client_written_entry_on_the_left_cannot_choose_the_address()
    {
        // The client sends "X-Forwarded-For: 202.96.128.86"; the front end appends the real peer.
        Assert.Equal(IPAddress.Parse("8.8.8.8"), ClientAddress.Resolve(Request("202.96.128.86, 8.8.8.8:1234"), trustForwardedFor: true));
    }

    [Theory]
    [InlineData("1.1.1.1, 2.2.2.2, 3.3.3.3", 2, "2.2.2.2")]
    [InlineData("1.1.1.1, 2.2.2.2:80, 3.3.3.3", 2, "2.2.2.2")]
    [InlineData("1.1.1.1, 2.2.2.2, 3.3.3.3", 3, "1.1.1.1")]
    public void With_more_hops_the_entry_that_many_from_the_right_is_the_client(string header, int hops, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), ClientAddress.Resolve(Request(header), trustForwardedFor: true, forwardedHops: hops));
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("", 1)]
    [InlineData("1.2.3.4", 2)]
    [InlineData("1.1.1.1, 2.2.2.2", 3)]
    [InlineData("garbage", 1)]
    [InlineData("1.2.3.4, garbage", 1)]
    [InlineData("1.2.3.4, ", 1)]
    [InlineData("1.2.3.4:port", 1)]
    [InlineData("1.2.3.4:123456", 1)]
    [InlineData("1.2.3", 1)]
    [InlineData("1234", 1)]
    [InlineData("0x7f.0.0.1", 1)]
    [InlineData("[2001:db8::1]garbage", 1)]
    [InlineData("[1.2.3.4]", 1)]
    [InlineData("garbage, 1.2.3.4", 2)]
    public void Fewer_entries_or_an_unparsable_entry_leave_the_client_unknown(string? header, int hops)
    {
        Assert.Null(ClientAddress.Resolve(Request(header), trustForwardedFor: true, forwardedHops: hops));
    }

    [Fact]
    public void Several_headers_read_as_one_list()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Forwarded-For"] = new Microsoft.Extensions.Primitives.StringValues(["1.1.1.1, 2.2.2.2", "3.3.3.3"]);
        Assert.Equal(IPAddress.Parse("2.2.2.2"), ClientAddress.Resolve(context.Request, trustForwardedFor: true, forwardedHops: 2));
    }

    [Fact]
    public void The_peer_is_the_client_when_forwarding_is_not_trusted()
    {
        Assert.Equal(IPAddress.Parse("10.0.0.7"), ClientAddress.Resolve(Request("1.2.3.4"), trustForwardedFor: false));
    }

    [Fact]
    public void An_IPv4_mapped_peer_counts_as_IPv4()
    {
        Assert.Equal(IPAddress.Parse("202.96.128.86"), ClientAddress.Resolve(Request(null, "::ffff:202.96.128.86"), trustForwardedFor: false));
    }

    [Fact]
    public void Random_lists_resolve_to_the_entry_at_the_hop_count_from_the_right_or_to_unknown()
    {
        var random = new Random(13);
        for (var run = 0; run < 5_000; run++)
        {
            var addresses = Enumerable.Range(0, random.Next(0, 6))
                .Select(_ => random.Next(3) == 0
                    ? new IPAddress(Enumerable.Range(0, 16).Select(_ => (byte)random.Next(256)).ToArray())
                    : new IPAddress(Enumerable.Range(0, 4).Select(_ => (byte)random.Next(1, 256)).ToArray()))
                .ToList();
            var entries = addresses.Select(a => Write(a, random)).ToList();
            var hops = random.Next(1, 5);

            var resolved = ClientAddress.Resolve(Request(string.Join(random.Next(2) == 0 ? "," : ", ", entries)), trustForwardedFor: true, forwardedHops: hops);

            var expected = hops <= addresses.Count ? addresses[^hops] : null;
            expected = expected is { IsIPv4MappedToIPv6: true } ? expected.MapToIPv4() : expected;
            Assert.Equal(expected, resolved);
        }
    }

    private static string Write(IPAddress address, Random random) =>
        (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork, random.Next(2) == 0) switch
        {
            (true, true) => address + ":" + random.Next(1, 65536),
            (true, false) => address.ToString(),
            (false, true) => "[" + address + "]:" + random.Next(1, 65536),
            (false, false) => address.ToString(),
        };
}
