using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Configuration;

namespace Tianmu.Functions.Tokens;

/// <summary><c>Tianmu:Jwt</c> (docs/API.md, "Tokens" and "Operator configuration").</summary>
public sealed class JwtOptions
{
    /// <summary>
    /// The current signing key: PEM, PKCS#8 (<c>-----BEGIN PRIVATE KEY-----</c>), ECDSA P-256 (<c>Tianmu__Jwt__PrivateKey</c>).
    /// Empty or an unresolved Key Vault reference counts as missing: refused at start outside Development, generated in it.
    /// </summary>
    public string PrivateKey { get; set; } = string.Empty;

    /// <summary>
    /// Retired public keys whose tokens are still accepted until they expire: a bundle of PEM
    /// <c>-----BEGIN PUBLIC KEY-----</c> blocks (SubjectPublicKeyInfo), each P-256 (<c>Tianmu__Jwt__PreviousPublicKeys</c>).
    /// </summary>
    public string PreviousPublicKeys { get; set; } = string.Empty;

    /// <summary>The <c>iss</c> written into and required from tokens.</summary>
    public string Issuer { get; set; } = "tianmu";

    /// <summary>How long a token is valid after it is issued.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long after the login that started a chain of tokens (<c>auth_time</c>) a refresh is still granted.</summary>
    public TimeSpan MaxSessionAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>True when <see cref="PrivateKey"/> holds no usable value (empty or an unresolved Key Vault reference).</summary>
    public bool PrivateKeyMissing =>
        string.IsNullOrWhiteSpace(PrivateKey) || TianmuConfiguration.IsUnresolvedKeyVaultReference(PrivateKey);
}

/// <summary>
/// Start-up checks of <c>Tianmu:Jwt</c>: outside Development the app refuses to start without a usable P-256 private
/// key; in every environment a key that is set must parse, and so must every previous public key.
/// </summary>
public sealed class JwtOptionsValidator(IHostEnvironment environment) : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.PrivateKeyMissing)
        {
            if (!environment.IsDevelopment())
            {
                failures.Add("Tianmu__Jwt__PrivateKey is missing (or is a Key Vault reference the platform could not resolve); "
                    + "it must be a PEM PKCS#8 P-256 private key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256).");
            }
        }
        else
        {
            try
            {
                using var key = JwtKeyPem.ReadPrivateKey(options.PrivateKey);
            }
            catch (FormatException exception)
            {
                failures.Add($"Tianmu__Jwt__PrivateKey: {exception.Message}");
            }
        }

        try
        {
            foreach (var key in JwtKeyPem.ReadPublicKeys(options.PreviousPublicKeys))
            {
                key.Dispose();
            }
        }
        catch (FormatException exception)
        {
            failures.Add($"Tianmu__Jwt__PreviousPublicKeys: {exception.Message}");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("Tianmu__Jwt__Issuer may not be empty.");
        }

        if (options.Lifetime <= TimeSpan.Zero || options.Lifetime > TimeSpan.FromDays(30))
        {
            failures.Add("Tianmu__Jwt__Lifetime must be between 00:00:01 and 30.00:00:00.");
        }

        if (options.MaxSessionAge <= TimeSpan.Zero || options.MaxSessionAge > TimeSpan.FromDays(365))
        {
            failures.Add("Tianmu__Jwt__MaxSessionAge must be between 00:00:01 and 365.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
