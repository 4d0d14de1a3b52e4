using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using Tianmu.Functions.Http;

namespace Tianmu.Functions.Push;

/// <summary>
/// <c>GET</c> and <c>POST /api/wechat/push/{app_id}</c>: WeChat's message push (docs/API.md, "Accounts"). Bodies are
/// taken as <c>application/json</c> or <c>text/plain</c> (WeChat varies), not only JSON as on other routes.
/// </summary>
public sealed class WeChatPushFunction(PushSignatureVerifier verifier, PushService pushes)
{
    /// <summary>What every verified push is answered.</summary>
    public const string Success = "success";

    [Function("WeChatPush")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "wechat/push/{appId}")] HttpRequest request,
        string appId,
        CancellationToken cancellationToken) =>
        ApiEndpoint.RunAsync(request, async () =>
        {
            var query = PushQuery.From(request.Query);
            if (HttpMethods.IsGet(request.Method))
            {
                return TypedResults.Text(verifier.VerifyUrlCheck(appId, query), "text/plain");
            }

            CheckHeaders(request);
            var body = await ReadAsync(request, cancellationToken).ConfigureAwait(false);
            var message = verifier.VerifyMessage(appId, query, body);
            await pushes.HandleAsync(appId, message, cancellationToken).ConfigureAwait(false);
            return TypedResults.Text(Success, "text/plain");
        });

    // Size, then media type: application/json, text/plain (any charset) or none.
    private static void CheckHeaders(HttpRequest request)
    {
        if (request.ContentLength > JsonBody.MaxBytes)
        {
            throw new ApiException(ApiErrorCode.PayloadTooLarge, $"The body may not exceed {JsonBody.MaxBytes} bytes.");
        }

        if (JsonBody.IsJsonMediaType(request.ContentType))
        {
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(ApiErrorCode.UnsupportedMediaType, "A push body must be sent as application/json or text/plain.");
        }
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            int read;
            try
            {
                read = await request.Body.ReadAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            }
            catch (BadHttpRequestException)
            {
                throw ApiException.InvalidRequest("The body did not arrive as declared (its length or chunks are wrong, or it stalled).");
            }

            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > JsonBody.MaxBytes)
            {
                throw new ApiException(ApiErrorCode.PayloadTooLarge, $"The body may not exceed {JsonBody.MaxBytes} bytes.");
            }
        }
    }
}
