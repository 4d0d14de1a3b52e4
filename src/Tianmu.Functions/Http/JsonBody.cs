using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Tianmu.Functions.Http;

/// <summary>
/// Reads request bodies the way the contract says, under any host: size from <c>Content-Length</c> and again
/// while reading, media type, then strict JSON (no duplicate members, exact types, bounded depth).
/// </summary>
public static class JsonBody
{
    /// <summary>Largest accepted body, in bytes.</summary>
    public const int MaxBytes = 65_536;

    /// <summary>Checks what the headers alone can tell: the declared size, then the media type.</summary>
    public static void CheckHeaders(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBytes)
        {
            throw new ApiException(ApiErrorCode.PayloadTooLarge, $"The body may not exceed {MaxBytes} bytes.");
        }

        if (!IsJsonMediaType(request.ContentType))
        {
            throw new ApiException(ApiErrorCode.UnsupportedMediaType, "The body must be sent as application/json.");
        }
    }

    /// <summary><c>application/json</c> with any parameters, any <c>type/subtype+json</c>, or no media type at all.</summary>
    public static bool IsJsonMediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || mediaType.SubTypeWithoutSuffix.Length == 0)
        {
            return false;
        }

        return (mediaType.Type.Equals("application", StringComparison.OrdinalIgnoreCase)
                && mediaType.SubType.Equals("json", StringComparison.OrdinalIgnoreCase))
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Checks the headers (<see cref="CheckHeaders"/>), then reads the body; every failure is an <see cref="ApiException"/>.</summary>
    public static Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        CheckHeaders(request);
        return ReadCheckedAsync(request, typeInfo, cancellationToken);
    }

    /// <summary>
    /// Reads and deserializes the body of a request whose headers <see cref="CheckHeaders"/> already passed (a route
    /// that checks credentials between the two); the size is checked again while reading.
    /// </summary>
    public static async Task<T> ReadCheckedAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(typeInfo);

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = await RawBody.ReadIntoAsync(request, buffer, MaxBytes, cancellationToken).ConfigureAwait(false);
            return Deserialize(buffer.AsSpan(0, length), typeInfo);
        }
        finally
        {
            // The body of updateUserInfo carries encryptedData: do not leave it in a shared pool.
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>Deserializes a complete body; every failure is an <see cref="ApiException"/>.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (utf8Json.StartsWith("\uFEFF"u8))
        {
            // A UTF-8 byte order mark: JSON senders must not add one, receivers may ignore it (RFC 8259, 8.1).
            utf8Json = utf8Json[3..];
        }

        if (utf8Json.IsEmpty)
        {
            throw ApiException.InvalidRequest("The body must be a JSON object.");
        }

        try
        {
            CheckTopLevelMembers(utf8Json);
            return JsonSerializer.Deserialize(utf8Json, typeInfo)
                ?? throw ApiException.InvalidRequest("The body must be a JSON object.");
        }
        catch (JsonException exception)
        {
            // The serializer's message can quote the input; the path alone tells the client where to look.
            var where = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? "the body" : exception.Path;
            throw ApiException.InvalidRequest($"The body is not valid JSON for this endpoint (at {where}): a member may have the wrong type, be duplicated or be nested too deeply.");
        }
        catch (InvalidOperationException)
        {
            throw ApiException.InvalidRequest("The body is not valid JSON for this endpoint.");
        }
    }

    // What the serializer lets through: it skips unknown members without checking that their text is UTF-8 or
    // that they are not given twice. One cheap pass over the body holds the whole body to the contract.
    private static void CheckTopLevelMembers(ReadOnlySpan<byte> utf8Json)
    {
        if (!Utf8.IsValid(utf8Json))
        {
            throw ApiException.InvalidRequest("The body is not valid UTF-8.");
        }

        var reader = new Utf8JsonReader(utf8Json);
        HashSet<string>? names = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                names ??= new HashSet<string>(StringComparer.Ordinal);
                if (!names.Add(reader.GetString()!))
                {
                    throw ApiException.InvalidRequest("A member of the body is given twice.");
                }
            }
        }
    }
}
