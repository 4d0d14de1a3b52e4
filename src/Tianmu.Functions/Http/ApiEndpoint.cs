using Microsoft.AspNetCore.Http;

namespace Tianmu.Functions.Http;

/// <summary>What every function does around its one service call, under any host: map failures to problem details.</summary>
public static class ApiEndpoint
{
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
    }
}
