using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.MiniProgramProfile;

/// <summary>
/// The avatars container (docs/API.md, "Storage"): one blob per upload under a random name, never overwritten, served
/// publicly at <see cref="PublicUrlOf"/>. Storage that fails or cannot be reached surfaces as 503
/// <c>upstream_unavailable</c>; deleting an image that is no longer used never fails a request.
/// </summary>
public sealed partial class AvatarBlobStore
{
    /// <summary>Long-lived caching is safe: a name is never reused, a new upload gets a new name.</summary>
    public const string CacheControl = "public, max-age=31536000, immutable";

    private readonly BlobContainerClient _container;
    private readonly bool _createContainer;
    private readonly ILogger<AvatarBlobStore> _logger;
    private readonly string _publicBase;
    private volatile bool _containerReady;

    /// <summary>A store over <paramref name="container"/>, creating it when missing only when
    /// <paramref name="createContainer"/> (the Development environment, as for the table).</summary>
    public AvatarBlobStore(BlobContainerClient container, AvatarOptions options, bool createContainer, ILogger<AvatarBlobStore> logger)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(options);
        _container = container;
        _createContainer = createContainer;
        _logger = logger;
        var publicBase = (options.PublicBaseUrl ?? container.Uri).AbsoluteUri;
        _publicBase = publicBase.EndsWith('/') ? publicBase : publicBase + "/";
    }

    /// <summary>The container of <paramref name="avatars"/> in the storage of <paramref name="storage"/>: managed identity
    /// (<c>DefaultAzureCredential</c>) when <see cref="StorageOptions.BlobServiceUri"/> is set, else the connection string.</summary>
    public static BlobContainerClient CreateContainerClient(StorageOptions storage, AvatarOptions avatars)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(avatars);
        var options = new BlobClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        var service = storage.BlobServiceUri is { } uri
            ? new BlobServiceClient(uri, new DefaultAzureCredential(), options)
            : new BlobServiceClient(storage.ConnectionString, options);
        return service.GetBlobContainerClient(avatars.ContainerName);
    }

    /// <summary>The public URL of the image <paramref name="name"/>: <c>Tianmu__Avatars__PublicBaseUrl</c> + name.</summary>
    public Uri PublicUrlOf(string name) => new(_publicBase + name);

    /// <summary>Stores a new image under <paramref name="name"/> (which must not exist yet) with its media type.</summary>
    /// <exception cref="ApiException">503 <c>upstream_unavailable</c>.</exception>
    public async Task UploadAsync(string name, byte[] image, string contentType, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType, CacheControl = CacheControl },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        await Guard(
            () => _container.GetBlobClient(name).UploadAsync(new BinaryData(image), options, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the image <paramref name="name"/> if it exists; a failure is logged (Warning) and reported as
    /// false, never thrown: the image is merely orphaned.</summary>
    public async Task<bool> TryDeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
        {
            return true;
        }

        try
        {
            await _container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is RequestFailedException or HttpRequestException or IOException or SocketException or OperationCanceledException)
        {
            LogDeleteFailed(_logger, name, exception.GetType().Name);
            return false;
        }
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_createContainer && !_containerReady)
        {
            // Public read of single blobs (no listing), as the Bicep deployment provisions it.
            await Guard(() => _container.CreateIfNotExistsAsync(PublicAccessType.Blob, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            _containerReady = true;
        }
    }

    private async Task<T> Guard<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (RequestFailedException exception)
        {
            // A missing container outside Development, a refused identity, throttling, a failing service: all 503 (a
            // random 128-bit name that already exists, refused by IfNoneMatch, is not worth a status of its own).
            LogStorageFailed(_logger, exception.Status, exception.ErrorCode);
            throw Unavailable();
        }
        catch (Exception exception) when (exception is AggregateException or HttpRequestException or IOException or SocketException
                                          || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogStorageUnreachable(_logger, exception.GetType().Name);
            throw Unavailable();
        }
    }

    private static ApiException Unavailable() =>
        new(ApiErrorCode.UpstreamUnavailable, "Avatar storage is unavailable; nothing was changed. Retry shortly.");

    [LoggerMessage(EventId = 8101, Level = LogLevel.Error, Message = "Avatar storage failed with status {Status} ({ErrorCode})")]
    private static partial void LogStorageFailed(ILogger logger, int status, string? errorCode);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Error, Message = "Avatar storage is unreachable ({ExceptionType})")]
    private static partial void LogStorageUnreachable(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Warning, Message = "The unused avatar image {BlobName} could not be deleted ({ExceptionType}); it stays orphaned")]
    private static partial void LogDeleteFailed(ILogger logger, string blobName, string exceptionType);
}
