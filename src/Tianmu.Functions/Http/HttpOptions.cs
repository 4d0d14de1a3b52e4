namespace Tianmu.Functions.Http;

/// <summary><c>Tianmu:Http</c>: how the client's address is read (docs/API.md, "Client IP").</summary>
public sealed class HttpOptions
{
    /// <summary>Take the client address from <c>X-Forwarded-For</c> (the Azure front end is the peer there).</summary>
    public bool TrustForwardedFor { get; set; }
}
