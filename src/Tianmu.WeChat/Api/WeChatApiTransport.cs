using System.Buffers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tianmu.WeChat.Api;

/// <summary>How one POST to WeChat's server API ended, before its body is interpreted.</summary>
internal enum WeChatHttpOutcome
{
    /// <summary>A 2xx answer whose body (at most <see cref="WeChatApiTransport.MaxResponseBytes"/>) was read.</summary>
    Answered,
    /// <summary>A 5xx answer.</summary>
    ServerError,
    /// <summary>Another non-2xx answer.</summary>
    UnexpectedStatus,
    /// <summary>A 2xx answer larger than <see cref="WeChatApiTransport.MaxResponseBytes"/>.</summary>
    TooLarge,
    /// <summary>No whole answer within the per-call timeout.</summary>
    Timeout,
    /// <summary>Connection refused, reset or closed; DNS failure.</summary>
    Unavailable,
}

/// <summary>The outcome of one POST; <see cref="Body"/> is empty unless <see cref="Outcome"/> is Answered.</summary>
internal sealed record WeChatHttpResponse(WeChatHttpOutcome Outcome, byte[] Body, int StatusCode = 0, string? ErrorKind = null);

/// <summary>
/// One POST of a JSON body to WeChat's server API with a per-call timeout and a capped read, shared by the access-token
/// and content-security clients. Never logs, never retries, never throws for a network failure or a timeout (only for the
/// caller's own cancellation).
/// </summary>
internal static class WeChatApiTransport
{
    /// <summary>Largest answer read; WeChat's answers here are well under 2 KB.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    public static async Task<WeChatHttpResponse> PostJsonAsync(
        HttpClient httpClient, Uri uri, byte[] jsonBody, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri);
            request.Content = new ByteArrayContent(jsonBody);
            request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
            using var response = await httpClient
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token)
                .ConfigureAwait(false);

            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                return new WeChatHttpResponse(status >= 500 ? WeChatHttpOutcome.ServerError : WeChatHttpOutcome.UnexpectedStatus, [], status);
            }

            // Whatever the Content-Type says (WeChat often sends text/plain): the body is JSON.
            var body = await ReadCappedAsync(response.Content, timeoutSource.Token).ConfigureAwait(false);
            return body is null
                ? new WeChatHttpResponse(WeChatHttpOutcome.TooLarge, [], status)
                : new WeChatHttpResponse(WeChatHttpOutcome.Answered, body, status);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WeChatHttpResponse(WeChatHttpOutcome.Timeout, []);
        }
        catch (HttpRequestException exception)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Only the error kind: exception messages are not ours to vouch for.
            return new WeChatHttpResponse(WeChatHttpOutcome.Unavailable, [], ErrorKind: exception.HttpRequestError.ToString());
        }
        catch (Exception exception) when (exception is IOException or SocketException)
        {
            // SocketException: HttpClient lets it through unwrapped when a connection is reset while being set up.
            cancellationToken.ThrowIfCancellationRequested();
            return new WeChatHttpResponse(WeChatHttpOutcome.Unavailable, [], ErrorKind: exception.GetType().Name);
        }
    }

    /// <summary>Deserializes a JSON answer; null when it is not JSON of that shape (a BOM is skipped).</summary>
    public static T? Parse<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..]; // a UTF-8 byte order mark, which the serializer does not skip in a span
        }

        try
        {
            return JsonSerializer.Deserialize(body, typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Joins the base URL (without its query) and a path with one slash.</summary>
    public static string Join(Uri apiBaseUrl, string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(apiBaseUrl);
        return string.Concat(apiBaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/'), pathAndQuery);
    }

    private static async Task<byte[]?> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxResponseBytes)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxResponseBytes + 1);
        var length = 0;
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while (length <= MaxResponseBytes
                    && (read = await stream.ReadAsync(buffer.AsMemory(length, MaxResponseBytes + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }

            return length <= MaxResponseBytes ? buffer.AsSpan(0, length).ToArray() : null;
        }
        finally
        {
            // The body may hold an access token.
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
