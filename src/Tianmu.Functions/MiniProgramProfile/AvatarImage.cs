using Tianmu.Functions.Http;

namespace Tianmu.Functions.MiniProgramProfile;

/// <summary>
/// An uploaded avatar, validated once (docs/API.md, "POST /api/profile/avatar"): JPEG or PNG whose bytes start with
/// that format's signature, at most <see cref="MaxBytes"/>.
/// </summary>
public sealed record AvatarImage
{
    /// <summary>Largest accepted image, in bytes (1 MiB; the contract's one exception to the 64 KiB body limit).</summary>
    public const int MaxBytes = 1_048_576;

    public const string Jpeg = "image/jpeg";

    public const string Png = "image/png";

    /// <summary>The media types taken: WeChat's media check takes no WebP.</summary>
    public static IReadOnlyList<string> MediaTypes { get; } = [Jpeg, Png];

    // JPEG: SOI marker and the first byte of the next marker (ITU T.81, B.1.1.3); PNG: the 8-byte signature (RFC 2083, 3.1).
    private static ReadOnlySpan<byte> JpegSignature => [0xFF, 0xD8, 0xFF];

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private AvatarImage(byte[] bytes, string contentType)
    {
        Bytes = bytes;
        ContentType = contentType;
    }

    /// <summary>The image bytes.</summary>
    public byte[] Bytes { get; }

    /// <summary><see cref="Jpeg"/> or <see cref="Png"/>.</summary>
    public string ContentType { get; }

    /// <summary>The file extension of the stored name: <c>.jpg</c> or <c>.png</c>.</summary>
    public string Extension => ContentType == Png ? ".png" : ".jpg";

    /// <summary>The image of <paramref name="bytes"/> sent as <paramref name="contentType"/> (an entry of
    /// <see cref="MediaTypes"/>).</summary>
    /// <exception cref="ApiException">422 <c>content_rejected</c> when the bytes do not start with the format's
    /// signature (an empty body included).</exception>
    public static AvatarImage From(byte[] bytes, string contentType)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var signature = contentType == Png ? PngSignature : JpegSignature;
        if (!bytes.AsSpan().StartsWith(signature))
        {
            throw new ApiException(ApiErrorCode.ContentRejected, $"The body is not a {(contentType == Png ? "PNG" : "JPEG")} image.");
        }

        return new AvatarImage(bytes, contentType);
    }

    // Records print their members: keep the bytes out of logs.
    public override string ToString() => $"AvatarImage {{ ContentType = {ContentType}, Length = {Bytes.Length} }}";
}
