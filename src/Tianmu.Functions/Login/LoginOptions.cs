using Microsoft.Extensions.Options;
using Tianmu.WeChat.Sessions;

namespace Tianmu.Functions.Login;

/// <summary><c>Tianmu:Login</c> (docs/API.md, "Operator configuration").</summary>
public sealed class LoginOptions
{
    /// <summary>
    /// Total time budget of one login, WeChat call and storage retries included; it also bounds the storage work of
    /// every other request (<c>Tianmu__Login__Budget</c>).
    /// </summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Start-up checks of <c>Tianmu:Login</c> and <c>Tianmu:WeChat</c> (the client login calls). Outside Development
/// <c>Tianmu__WeChat__ApiBaseUrl</c> must be https (docs/API.md, "Operator configuration"): the jscode2session URL carries
/// the app secret. A loopback address is the one exception (a stand-in on the same machine; nothing leaves it).
/// </summary>
/// <param name="isDevelopment">True in the Development environment, where http is allowed.</param>
public sealed class LoginOptionsValidator(bool isDevelopment) : IValidateOptions<LoginOptions>, IValidateOptions<WeChatApiOptions>
{
    public ValidateOptionsResult Validate(string? name, LoginOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Budget > TimeSpan.Zero && options.Budget <= TimeSpan.FromMinutes(2)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Tianmu__Login__Budget must be between 00:00:00.001 and 00:02:00.");
    }

    public ValidateOptionsResult Validate(string? name, WeChatApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!options.ApiBaseUrl.IsAbsoluteUri || (options.ApiBaseUrl.Scheme != Uri.UriSchemeHttps && options.ApiBaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("Tianmu__WeChat__ApiBaseUrl must be an absolute http(s) URL.");
        }
        else if (!isDevelopment && options.ApiBaseUrl.Scheme != Uri.UriSchemeHttps && !options.ApiBaseUrl.IsLoopback)
        {
            failures.Add("Tianmu__WeChat__ApiBaseUrl must be https outside Development: its calls carry the app secret.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(1))
        {
            failures.Add("Tianmu__WeChat__Timeout must be between 00:00:00.001 and 00:01:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
