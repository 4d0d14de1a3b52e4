namespace Tianmu.Functions.Configuration;

/// <summary>What every feature's options share: the configuration section and how an unresolved secret looks.</summary>
public static class TianmuConfiguration
{
    /// <summary>The section every key of the contract lives under (<c>Tianmu__…</c> as environment variables).</summary>
    public const string Section = "Tianmu";

    /// <summary>
    /// True for a value that is an App Service Key Vault reference the platform did not resolve (it then hands the
    /// app the reference text itself); such a value counts as missing (docs/API.md, "Operator configuration").
    /// </summary>
    public static bool IsUnresolvedKeyVaultReference(string? value) =>
        value is not null && value.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);
}
