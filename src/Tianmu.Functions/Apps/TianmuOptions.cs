using System.Text.RegularExpressions;

namespace Tianmu.Functions.Apps;

/// <summary>Configuration section names and shared patterns of the contract.</summary>
public static partial class TianmuConfiguration
{
    public const string Section = "Tianmu";

    /// <summary>Pattern of app ids and open ids: also guarantees a legal Table Storage key.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    public static partial Regex IdPattern();

    /// <summary>True for a value that is an App Service Key Vault reference the platform did not resolve.</summary>
    public static bool IsUnresolvedKeyVaultReference(string? value) =>
        value is not null && value.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);
}

/// <summary><c>Tianmu:Apps:&lt;app_id&gt;</c>.</summary>
public sealed class AppOptions
{
    /// <summary>The WeChat AppSecret.</summary>
    public string Secret { get; set; } = string.Empty;
}

/// <summary><c>Tianmu:Jwt</c>.</summary>
public sealed class JwtOptions
{
    public const int MinimumKeyBytes = 32;

    public string SigningKey { get; set; } = string.Empty;

    public string Issuer { get; set; } = "tianmu";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(2);
}

/// <summary><c>Tianmu:Login</c>.</summary>
public sealed class LoginOptions
{
    /// <summary>Total time budget of one login, WeChat call and storage retries included.</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary><c>Tianmu:Http</c>.</summary>
public sealed class HttpOptions
{
    /// <summary>Take the client address from <c>X-Forwarded-For</c> (the Azure front end is the peer there).</summary>
    public bool TrustForwardedFor { get; set; }
}

/// <summary><c>Tianmu:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string DevelopmentConnectionString = "UseDevelopmentStorage=true";

    public string? ConnectionString { get; set; }

    public Uri? TableServiceUri { get; set; }

    public string TableName { get; set; } = "profiles";

    public int PartitionBuckets { get; set; } = 1;
}

/// <summary><c>Tianmu:Simulator</c>.</summary>
public sealed class SimulatorOptions
{
    public bool Enabled { get; set; }
}
