using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Profiles;

/// <summary>
/// The profiles table. Every write is conditional: adds fail on an existing row, replaces on a changed ETag,
/// and the caller retries from a fresh read. Storage that cannot be reached surfaces as 503
/// <c>upstream_unavailable</c>; nothing here retries a conflict.
/// </summary>
public sealed partial class ProfileStore(TableClient table, ILogger<ProfileStore> logger)
{
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
            () => table.GetEntityIfExistsAsync<ProfileEntity>(partitionKey, rowKey, cancellationToken: cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    public async Task<bool> ExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var response = await RunAsync(
            () => table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, ["PartitionKey"], cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return response.HasValue;
    }

    /// <summary>One row of any kind, or null.</summary>
    public async Task<TableEntity?> GetRowAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var response = await RunAsync(
            () => table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Every row of one partition whose RowKey is at least <paramref name="from"/> and below <paramref name="to"/> (ordinal).</summary>
    public Task<List<TableEntity>> QueryRangeAsync(string partitionKey, string from, string to, CancellationToken cancellationToken) =>
        RunAsync(
            async () =>
            {
                var rows = new List<TableEntity>();
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {from} and RowKey lt {to}");
                await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(row);
                }

                return rows;
            },
            cancellationToken);

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

    /// <summary>Creates the table once per process (concurrent first calls are harmless); a failure is retried by the next request.</summary>
    public async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (!_tableReady)
        {
            await Guard(() => table.CreateIfNotExistsAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            _tableReady = true;
        }
    }

    // The table is created once per process, but it can vanish under a running app (deleted by an operator, or an
    // emulator restarted without persistence): then create it again, once, and retry the operation. A second
    // TableNotFound is storage misbehaving: 503.
    private async Task<T> RunAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Guard(operation, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (IsTableNotFound(exception))
        {
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

    // Turns "storage cannot be reached or failed" into the contract's 503; lets conflicts and caller cancellation through.
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

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Profile storage is unreachable ({ExceptionType})")]
    private static partial void LogStorageUnreachable(ILogger logger, string exceptionType);
}
