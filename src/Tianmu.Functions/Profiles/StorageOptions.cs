using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Tianmu.Functions.Profiles;

/// <summary><c>Tianmu:Storage</c> (docs/API.md, "Storage" and "Operator configuration").</summary>
public sealed class StorageOptions
{
    /// <summary>Azurite's well-known development account; the default in the Development environment only.</summary>
    public const string DevelopmentConnectionString = "UseDevelopmentStorage=true";

    /// <summary>Table (and Blob) Storage connection string; <see cref="TableServiceUri"/> wins when both are set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Table endpoint reached with managed identity (<c>DefaultAzureCredential</c>).</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>Blob endpoint reached with managed identity (<c>DefaultAzureCredential</c>), for avatar images; wins over
    /// the connection string (docs/API.md, "Storage").</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>The profiles table: 3–63 letters or digits, starting with a letter (Table Storage's rule).</summary>
    public string TableName { get; set; } = "profiles";

    /// <summary>Partitions per app, 1–<see cref="ProfileKeys.MaxBuckets"/> (see <see cref="ProfileKeys"/>).</summary>
    public int PartitionBuckets { get; set; } = 1;

    /// <summary>
    /// Create the table when it is missing: true in the Development environment only (set from the host's
    /// environment, never from configuration). Elsewhere the deployment creates it and a missing table answers 503
    /// (docs/API.md, "Storage").
    /// </summary>
    public bool CreateTableIfMissing { get; internal set; }
}

/// <summary>Start-up checks of <c>Tianmu:Storage</c>: the messages name the environment variable to fix.</summary>
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.TableServiceUri is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Set Tianmu__Storage__TableServiceUri (managed identity) or Tianmu__Storage__ConnectionString; outside Development there is no default.");
        }

        if (options.TableServiceUri is { } uri && (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)))
        {
            failures.Add("Tianmu__Storage__TableServiceUri must be an absolute https URI.");
        }

        if (options.BlobServiceUri is null && options.TableServiceUri is not null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Set Tianmu__Storage__BlobServiceUri (managed identity) for avatar images, or Tianmu__Storage__ConnectionString.");
        }

        if (options.BlobServiceUri is { } blob && (!blob.IsAbsoluteUri || (blob.Scheme != Uri.UriSchemeHttps && !blob.IsLoopback)))
        {
            failures.Add("Tianmu__Storage__BlobServiceUri must be an absolute https URI.");
        }

        if (!TableNamePattern().IsMatch(options.TableName ?? string.Empty))
        {
            failures.Add("Tianmu__Storage__TableName must be 3-63 letters or digits, starting with a letter.");
        }

        if (options.PartitionBuckets is < 1 or > ProfileKeys.MaxBuckets)
        {
            failures.Add($"Tianmu__Storage__PartitionBuckets must be between 1 and {ProfileKeys.MaxBuckets}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{2,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TableNamePattern();
}
