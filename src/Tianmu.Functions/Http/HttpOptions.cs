using Microsoft.Extensions.Options;

namespace Tianmu.Functions.Http;

/// <summary><c>Tianmu:Http</c>: how the client's address is read (docs/API.md, "Client IP").</summary>
public sealed class HttpOptions
{
    /// <summary>Most trusted proxies a deployment may declare.</summary>
    public const int MaxForwardedHops = 10;

    /// <summary>Take the client address from <c>X-Forwarded-For</c> (the Azure front end is the peer there).</summary>
    public bool TrustForwardedFor { get; set; }

    /// <summary>
    /// Which <c>X-Forwarded-For</c> entry, counted from the right, is the client (<c>Tianmu__Http__ForwardedHops</c>):
    /// 1 is the entry the last trusted proxy appended; one more for each trusted proxy in front of it.
    /// </summary>
    public int ForwardedHops { get; set; } = 1;
}

/// <summary>Start-up checks of <c>Tianmu:Http</c>: the messages name the environment variable to fix.</summary>
public sealed class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ForwardedHops is >= 1 and <= HttpOptions.MaxForwardedHops
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Tianmu__Http__ForwardedHops must be between 1 and {HttpOptions.MaxForwardedHops}.");
    }
}
