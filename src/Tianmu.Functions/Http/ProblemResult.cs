using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tianmu.Functions.Http;

/// <summary>An RFC 9457 problem document with the contract's <c>code</c> member.</summary>
public sealed class ProblemResult(ApiErrorCode code, string detail, string? allow = null, int? retryAfterSeconds = null) : IResult
{
    public const string ContentType = "application/problem+json";

    public ApiErrorCode Code { get; } = code;

    public string Detail { get; } = detail;

    /// <summary><c>Retry-After</c> in whole seconds: the exception's own when it has one, else the error table's.</summary>
    public int? RetryAfterSeconds { get; } = retryAfterSeconds ?? ApiErrors.Describe(code).RetryAfterSeconds;

    public static ProblemResult From(ApiException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(exception.Code, exception.Message, exception.Allow, exception.RetryAfterSeconds);
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var descriptor = ApiErrors.Describe(Code);
        var response = httpContext.Response;
        response.StatusCode = descriptor.Status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        if (RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        if (Code == ApiErrorCode.InvalidToken)
        {
            response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        }

        if (Code == ApiErrorCode.InvalidServerKey)
        {
            response.Headers.WWWAuthenticate = "TianmuServerKey";
        }

        if (allow is not null)
        {
            response.Headers.Allow = allow;
        }

        await using var writer = new Utf8JsonWriter(response.Body);
        writer.WriteStartObject();
        writer.WriteString("type", "urn:tianmu:problem:" + descriptor.Code);
        writer.WriteString("title", descriptor.Title);
        writer.WriteNumber("status", descriptor.Status);
        writer.WriteString("detail", Detail);
        writer.WriteString("code", descriptor.Code);
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }
}
