using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// The profiles table. Every write is conditional: adds fail on an existing row, replaces on a changed ETag,
/// and the caller retries from a fresh read. Storage that cannot be reached, throttles, or refuses the app's identity
/// (403, an Azure.Identity failure) surfaces as 503 <c>upstream_unavailable</c> and an Error log with the cause; a
/// write refused for good (another 400-class answer) is a defect of validation and passes on to the 500
/// <c>internal_error</c> of <see cref="ApiEndpoint"/>; nothing here retries a conflict (docs/API.md, "Storage").
/// The table is created when missing only in Development (<see cref="StorageOptions.CreateTableIfMissing"/>):
/// elsewhere a missing table answers 503 and logs at Error, so that a deleted table never silently turns every user
/// into a new one.
/// </summary>
public sealed partial class ProfileStore(TableClient table, IOptions<StorageOptions> options, ILogger<ProfileStore> logger)
{
    private readonly bool _createTable = options.Value.CreateTableIfMissing;
    private volatile bool _tableReady;

    public string TableName => table.Name;

    /// <summary>
    /// The Table Storage client settings of the app (and of anything that must measure against it): fail over to the
    /// caller's 503 quickly rather than hold a login past its budget.
    /// </summary>
    public static TableClientOptions CreateClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(3);
        return options;
    }

    /// <summary>
    /// The profiles table of <paramref name="storage"/>: managed identity (<c>DefaultAzureCredential</c>) when
    /// <see cref="StorageOptions.TableServiceUri"/> is set, else the connection string.
    /// </summary>
    public static TableClient CreateTableClient(StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var options = CreateClientOptions();
        var service = storage.TableServiceUri is { } uri
            ? new TableServiceClient(uri, new DefaultAzureCredential(), options)
            : new TableServiceClient(storage.ConnectionString, options);
        return service.GetTableClient(storage.TableName);
    }

    public async Task<ProfileEntity?> GetAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var response = await RunAsync(
            async () => ThrowIfTableNotFound(await table.GetEntityIfExistsAsync<ProfileEntity>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>A row of another kind than the profile (see the entities beside <see cref="ProfileEntity"/>), or null.</summary>
    public async Task<T?> GetRowAsync<T>(string partitionKey, string rowKey, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var response = await RunAsync(
            async () => ThrowIfTableNotFound(await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// The rows of one partition whose RowKey lies strictly between the two bounds, in RowKey order: up to
    /// <paramref name="count"/> of them, or all of them when it is null.
    /// </summary>
    public async Task<IReadOnlyList<T>> QueryRangeAsync<T>(string partitionKey, string rowKeyAfter, string rowKeyBefore, int? count, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey gt {rowKeyAfter} and RowKey lt {rowKeyBefore}");
        return await RunAsync(
            async () =>
            {
                var rows = new List<T>(count ?? 0);
                await foreach (var row in table.QueryAsync<T>(filter, maxPerPage: count, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(row);
                    if (rows.Count == count)
                    {
                        break;
                    }
                }

                return rows;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the row exists (a point read of its keys only).</summary>
    public async Task<bool> ExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var response = await RunAsync(
            async () => ThrowIfTableNotFound(await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, ["PartitionKey"], cancellationToken).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        return response.HasValue;
    }

    // GetEntityIfExists answers "no value" for a missing table too: a missing table must not read as a missing user
    // (a 401 for every token, a new profile for every login).
    private static NullableResponse<T> ThrowIfTableNotFound<T>(NullableResponse<T> response)
    {
        if (!response.HasValue && response.GetRawResponse() is { Status: 404 } raw
            && ((raw.Headers.TryGetValue("x-ms-error-code", out var code) && code == "TableNotFound")
                || raw.Content.ToString().Contains("TableNotFound", StringComparison.Ordinal)))
        {
            throw new RequestFailedException(404, "The table does not exist.", "TableNotFound", null);
        }

        return response;
    }

    /// <summary>Deletes a row if it still has the ETag it was read with; false when it changed since (a row already gone counts as deleted).</summary>
    public async Task<bool> TryDeleteAsync(ITableEntity entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        try
        {
            await RunAsync(() => table.DeleteEntityAsync(entity, entity.ETag, cancellationToken), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 412 && !IsTableNotFound(exception))
        {
            return false;
        }
    }

    /// <summary>Adds a new row; false when the row already exists.</summary>
    public async Task<bool> TryAddAsync(ProfileEntity entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        try
        {
            var response = await RunAsync(() => table.AddEntityAsync(entity, cancellationToken), cancellationToken).ConfigureAwait(false);
            entity.ETag = response.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 409 && !IsTableNotFound(exception))
        {
            return false;
        }
    }

    /// <summary>Replaces a row if it still has the ETag it was read with; false when someone wrote it since.</summary>
    public async Task<bool> TryReplaceAsync(ProfileEntity entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        try
        {
            var response = await RunAsync(
                () => table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            entity.ETag = response.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 404 && !IsTableNotFound(exception))
        {
            return false;
        }
    }

    /// <summary>Runs an entity-group transaction in one partition; false when any conditional action conflicts.</summary>
    public async Task<bool> TrySubmitAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actions);
        try
        {
            var response = await RunAsync(() => table.SubmitTransactionAsync(actions, cancellationToken), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < actions.Count; i++)
            {
                if (actions[i].Entity is ProfileEntity profile)
                {
                    profile.ETag = response.Value[i].Headers.ETag ?? default;
                }
            }

            return true;
        }
        catch (TableTransactionFailedException exception) when (exception.Status is 409 or 412 or 404 && !IsTableNotFound(exception))
        {
            return false;
        }
    }

    /// <summary>
    /// In Development, creates the table once per process (concurrent first calls are harmless; a failure is retried by
    /// the next request); elsewhere does nothing (the deployment creates the table).
    /// </summary>
    public async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_createTable && !_tableReady)
        {
            await Guard(() => table.CreateIfNotExistsAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            _tableReady = true;
        }
    }

    // In Development the table is created once per process, but it can vanish under a running app (an emulator
    // restarted without persistence): then create it again, once, and retry the operation. A second TableNotFound is
    // storage misbehaving: 503. Elsewhere a missing table is an operator's accident to repair, never to paper over.
    private async Task<T> RunAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Guard(operation, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (IsTableNotFound(exception))
        {
            if (!_createTable)
            {
                LogTableNotFound(logger, table.Name);
                throw Unavailable();
            }

            LogTableMissing(logger, table.Name);
            _tableReady = false;
            await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await Guard(operation, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (IsTableNotFound(exception))
        {
            LogStorageUnavailable(logger, exception.Status, exception.ErrorCode);
            throw Unavailable();
        }
    }

    private static bool IsTableNotFound(RequestFailedException exception) =>
        exception.Status == 404 && string.Equals(exception.ErrorCode, "TableNotFound", StringComparison.Ordinal);

    // Turns "storage cannot be reached, failed or refuses this app's identity" into the contract's 503; lets conflicts,
    // caller cancellation and writes refused for good (a defect: 500 internal_error) through.
    private async Task<T> Guard<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (IsUnavailable(exception))
        {
            LogStorageUnavailable(logger, exception.Status, exception.ErrorCode);
            throw Unavailable();
        }
        catch (RequestFailedException exception) when (exception.Status == 403)
        {
            // The app's identity is not (yet) authorised: a common first-deployment state, for the operator to fix.
            LogStorageForbidden(logger, exception, exception.ErrorCode);
            throw Unavailable();
        }
        catch (AuthenticationFailedException exception)
        {
            // Also CredentialUnavailableException (no managed identity, no developer sign-in), which derives from it.
            LogIdentityFailed(logger, exception, exception.GetType().Name);
            throw Unavailable();
        }
        // SocketException: HttpClient lets it through unwrapped when a connection is reset while being set up.
        catch (Exception exception) when (exception is AggregateException or HttpRequestException or IOException or SocketException
                                          || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogStorageUnreachable(logger, exception.GetType().Name);
            throw Unavailable();
        }
    }

    // A table that is being deleted cannot be written or re-created for a while (about 40 s in Azure): transient.
    private static bool IsUnavailable(RequestFailedException exception) =>
        exception.Status is 0 or 408 or 429 or >= 500
        || string.Equals(exception.ErrorCode, "TableBeingDeleted", StringComparison.Ordinal);

    private static ApiException Unavailable() =>
        new(ApiErrorCode.UpstreamUnavailable, "Profile storage is unavailable; nothing was changed. Retry shortly.");

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Profile storage failed with status {Status} ({ErrorCode})")]
    private static partial void LogStorageUnavailable(ILogger logger, int status, string? errorCode);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Profile table {TableName} was missing and is created again")]
    private static partial void LogTableMissing(ILogger logger, string tableName);

    [LoggerMessage(EventId = 13020, Level = LogLevel.Error, Message = "Profile table {TableName} does not exist; outside Development it is not created again: redeploy the infrastructure (it creates the table) or restore it")]
    private static partial void LogTableNotFound(ILogger logger, string tableName);

    [LoggerMessage(EventId = 13021, Level = LogLevel.Error, Message = "Profile storage refused this app's identity ({ErrorCode}): grant it the Storage Table Data Contributor role")]
    private static partial void LogStorageForbidden(ILogger logger, Exception exception, string? errorCode);

    [LoggerMessage(EventId = 13022, Level = LogLevel.Error, Message = "The app's identity could not get a token for profile storage ({ExceptionType})")]
    private static partial void LogIdentityFailed(ILogger logger, Exception exception, string exceptionType);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Profile storage is unreachable ({ExceptionType})")]
    private static partial void LogStorageUnreachable(ILogger logger, string exceptionType);
}
