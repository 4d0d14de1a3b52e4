using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Tianmu.Functions.Http;

/// <summary>
/// Reads request bodies that are not JSON (the avatar upload's image bytes) the way the contract says, under any host:
/// size from <c>Content-Length</c> and again while reading, then the media type from a route's own list. The framing
/// (a body that stalls, broken chunks, the server's own size limit) is read here for <see cref="JsonBody"/> too.
/// </summary>
public static class RawBody
{
    /// <summary>
    /// Checks what the headers alone can tell: the declared size against <paramref name="maxBytes"/> (413
    /// <c>payload_too_large</c>), then that the <c>Content-Type</c> is one of <paramref name="mediaTypes"/> (parameters
    /// ignored, compared case-insensitively; no <c>Content-Type</c> → 415 <c>unsupported_media_type</c>).
    /// </summary>
    /// <returns>The matched entry of <paramref name="mediaTypes"/>, as spelled there.</returns>
    /// <exception cref="ApiException">413 or 415.</exception>
    public static string CheckHeaders(HttpRequest request, int maxBytes, IReadOnlyList<string> mediaTypes)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(mediaTypes);
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType))
        {
            foreach (var accepted in mediaTypes)
            {
                if (mediaType.MediaType.Equals(accepted, StringComparison.OrdinalIgnoreCase))
                {
                    return accepted;
                }
            }
        }

        throw new ApiException(ApiErrorCode.UnsupportedMediaType, $"The body must be sent as {string.Join(" or ", mediaTypes)}.");
    }

    /// <summary>
    /// Reads the whole body of a request whose headers <see cref="CheckHeaders"/> already passed, at most
    /// <paramref name="maxBytes"/> bytes (checked again while reading: a missing or false <c>Content-Length</c> does not
    /// get more through).
    /// </summary>
    /// <exception cref="ApiException">413 <c>payload_too_large</c>; 400 <c>invalid_request</c> when the body did not arrive
    /// as declared.</exception>
    public static async Task<byte[]> ReadCheckedAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffer = new byte[maxBytes + 1];
        var length = await ReadIntoAsync(request, buffer, maxBytes, cancellationToken).ConfigureAwait(false);
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// Reads the body into <paramref name="buffer"/> (at least <paramref name="maxBytes"/> + 1 long) and answers its
    /// length; one byte over <paramref name="maxBytes"/> is 413.
    /// </summary>
    internal static async Task<int> ReadIntoAsync(HttpRequest request, byte[] buffer, int maxBytes, CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            int read;
            try
            {
                read = await request.Body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), cancellationToken).ConfigureAwait(false);
            }
            catch (BadHttpRequestException exception)
            {
                // The server refused the framing: a body shorter than its Content-Length that stalled, a broken chunk.
                throw exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? TooLarge(maxBytes)
                    : ApiException.InvalidRequest("The body did not arrive as declared (its length or chunks are wrong, or it stalled).");
            }

            if (read == 0)
            {
                return length;
            }

            length += read;
            if (length > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
        }
    }

    private static ApiException TooLarge(int maxBytes) =>
        new(ApiErrorCode.PayloadTooLarge, $"The body may not exceed {maxBytes} bytes.");
}
