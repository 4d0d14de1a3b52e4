using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tianmu.Functions.Http;

/// <summary>
/// What every function does around its one service call, under any host: map failures to problem details. An
/// <see cref="ApiException"/> is the contract's answer; anything else is a defect (docs/API.md, "Conventions"): logged
/// at Error with its exception and answered 500 <c>internal_error</c> whose detail says nothing of the cause.
/// </summary>
public static partial class ApiEndpoint
{
    /// <summary>The detail of every <c>internal_error</c>: the same text whatever failed.</summary>
    public const string InternalErrorDetail = "The service failed unexpectedly; the failure was logged. Retry later.";

    public static async Task<IResult> RunAsync(HttpRequest request, Func<Task<IResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(handler);
        // Answers carry tokens and personal data: no cache may keep them.
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        try
        {
            return await handler().ConfigureAwait(false);
        }
        catch (ApiException exception)
        {
            return ProblemResult.From(exception);
        }
        catch (Exception exception) when (!IsClientAbort(request, exception))
        {
            LogUnexpected(Logger(request), exception, request.Path.Value ?? string.Empty);
            return new ProblemResult(ApiErrorCode.InternalError, InternalErrorDetail);
        }
    }

    // A client that went away is not a defect: its cancellation passes to the host as before.
    private static bool IsClientAbort(HttpRequest request, Exception exception) =>
        exception is OperationCanceledException && request.HttpContext.RequestAborted.IsCancellationRequested;

    private static ILogger Logger(HttpRequest request) =>
        request.HttpContext.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger(typeof(ApiEndpoint).FullName!)
        ?? NullLogger.Instance;

    [LoggerMessage(EventId = 13001, Level = LogLevel.Error, Message = "Unexpected failure on {Path}; answered 500 internal_error")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string path);
}
