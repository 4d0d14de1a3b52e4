using System.Net;
using Microsoft.AspNetCore.Http;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Tests.Http;

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
    [InlineData(" 1.2.3.4:5678 , 10.0.0.1", "1.2.3.4")]
    [InlineData("unknown, 5.6.7.8", "5.6.7.8")]
    [InlineData("[2001:db8::1]:443", "2001:db8::1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("::ffff:202.96.128.86", "202.96.128.86")]
    public void The_first_parseable_forwarded_address_is_the_client_when_trusted(string header, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), ClientAddress.Resolve(Request(header), trustForwardedFor: true));
    }

    [Fact]
    public void The_peer_is_the_client_when_forwarding_is_not_trusted()
    {
        Assert.Equal(IPAddress.Parse("10.0.0.7"), ClientAddress.Resolve(Request("1.2.3.4"), trustForwardedFor: false));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage, more-garbage")]
    public void Without_a_usable_header_the_peer_is_the_client(string? header)
    {
        Assert.Equal(IPAddress.Parse("10.0.0.7"), ClientAddress.Resolve(Request(header), trustForwardedFor: true));
    }

    [Fact]
    public void An_IPv4_mapped_peer_counts_as_IPv4()
    {
        Assert.Equal(IPAddress.Parse("202.96.128.86"), ClientAddress.Resolve(Request(null, "::ffff:202.96.128.86"), trustForwardedFor: false));
    }
}
