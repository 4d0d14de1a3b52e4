using System.Text;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Configuration;

namespace Tianmu.Functions.Tokens;

/// <summary><c>Tianmu:Jwt</c> (docs/API.md, "Tokens" and "Operator configuration").</summary>
public sealed class JwtOptions
{
    /// <summary>Shortest signing key, in bytes of UTF-8 (RFC 7518, 3.2: a key at least as long as the hash).</summary>
    public const int MinimumKeyBytes = 32;

    /// <summary>The HS256 signing key.</summary>
    public string SigningKey { get; set; } = string.Empty;

    /// <summary>The <c>iss</c> written into and required from tokens.</summary>
    public string Issuer { get; set; } = "tianmu";

    /// <summary>How long a token is valid after it is issued.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(2);
}

/// <summary>Start-up checks of <c>Tianmu:Jwt</c>: the app refuses to start without a usable signing key.</summary>
public sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.SigningKey) || TianmuConfiguration.IsUnresolvedKeyVaultReference(options.SigningKey))
        {
            failures.Add("Tianmu__Jwt__SigningKey is missing (or is a Key Vault reference the platform could not resolve).");
        }
        else if (Encoding.UTF8.GetByteCount(options.SigningKey) < JwtOptions.MinimumKeyBytes)
        {
            failures.Add($"Tianmu__Jwt__SigningKey must be at least {JwtOptions.MinimumKeyBytes} bytes of UTF-8.");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("Tianmu__Jwt__Issuer may not be empty.");
        }

        if (options.Lifetime <= TimeSpan.Zero || options.Lifetime > TimeSpan.FromDays(30))
        {
            failures.Add("Tianmu__Jwt__Lifetime must be between 00:00:01 and 30.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
