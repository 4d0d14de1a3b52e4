using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Tianmu.Functions.MiniProgramProfile;

/// <summary><c>Tianmu:Avatars</c> (docs/API.md, "POST /api/profile/avatar" and "Operator configuration").</summary>
public sealed class AvatarOptions
{
    /// <summary>The Blob Storage container of avatar images (Blob Storage's rule: 3–63 lowercase letters, digits and
    /// single hyphens, starting and ending with a letter or digit).</summary>
    public string ContainerName { get; set; } = "avatars";

    /// <summary>
    /// The HTTPS base every <c>avatar_url</c> starts with, followed by the image's name (a CDN or the container's own
    /// URL); a missing trailing <c>/</c> is added. Unset: the container's own URL.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }
}

/// <summary>Start-up checks of <c>Tianmu:Avatars</c>: the messages name the environment variable to fix.</summary>
public sealed partial class AvatarOptionsValidator : IValidateOptions<AvatarOptions>
{
    public ValidateOptionsResult Validate(string? name, AvatarOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!ContainerNamePattern().IsMatch(options.ContainerName ?? string.Empty) || options.ContainerName!.Contains("--", StringComparison.Ordinal))
        {
            failures.Add("Tianmu__Avatars__ContainerName must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.");
        }

        // WeChat's media check downloads the image from this URL and mini-programs show only https images; plain http is
        // allowed for a loopback host (Azurite) alone.
        if (options.PublicBaseUrl is { } url
            && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
                || url.Query.Length > 0 || url.Fragment.Length > 0))
        {
            failures.Add("Tianmu__Avatars__PublicBaseUrl must be an absolute https URL without query or fragment.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerNamePattern();
}
