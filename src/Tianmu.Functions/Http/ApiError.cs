namespace Tianmu.Functions.Http;

/// <summary>The stable error codes of the HTTP contract (API.md, "Errors"). One row each.</summary>
public enum ApiErrorCode
{
    InvalidRequest,
    InvalidCode,
    InvalidToken,
    LoginBlocked,
    UnknownApp,
    MethodNotAllowed,
    SessionExpired,
    PayloadTooLarge,
    UnsupportedMediaType,
    DecryptFailed,
    RateLimited,
    UpstreamError,
    UpstreamUnavailable,
}

/// <summary>How one <see cref="ApiErrorCode"/> appears on the wire.</summary>
public sealed record ApiErrorDescriptor(int Status, string Code, string Title, int? RetryAfterSeconds = null);

/// <summary>The contract's error table, in code: the only place that maps a code to a status.</summary>
public static class ApiErrors
{
    private static readonly ApiErrorDescriptor[] Table =
    [
        new(400, "invalid_request", "The request is invalid."),
        new(400, "invalid_code", "WeChat rejected the login code."),
        new(401, "invalid_token", "The bearer token is missing or invalid."),
        new(403, "login_blocked", "WeChat refused the login of this user."),
        new(404, "unknown_app", "The app is not configured on this deployment."),
        new(405, "method_not_allowed", "The method is not allowed on this route."),
        new(409, "session_expired", "No usable WeChat session is stored for this user."),
        new(413, "payload_too_large", "The request body is too large."),
        new(415, "unsupported_media_type", "The request body must be JSON."),
        new(422, "decrypt_failed", "The encrypted data could not be verified."),
        new(429, "rate_limited", "WeChat rate-limited this login.", RetryAfterSeconds: 60),
        new(502, "upstream_error", "WeChat answered something this service cannot use."),
        new(503, "upstream_unavailable", "A service this request depends on is unavailable.", RetryAfterSeconds: 1),
    ];

    public static ApiErrorDescriptor Describe(ApiErrorCode code) => Table[(int)code];

    public static IReadOnlyList<ApiErrorDescriptor> All => Table;
}

/// <summary>
/// A failure that the caller should see as a problem document. The detail is shown to the client:
/// it must never contain a secret, a session key or request payload.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(ApiErrorCode code, string detail)
        : base(detail)
    {
        Code = code;
    }

    public ApiException()
        : this(ApiErrorCode.InvalidRequest, "The request is invalid.")
    {
    }

    public ApiException(string message)
        : this(ApiErrorCode.InvalidRequest, message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ApiErrorCode.InvalidRequest;
    }

    public ApiErrorCode Code { get; }

    /// <summary>Extra header for 405 answers.</summary>
    public string? Allow { get; init; }

    public static ApiException InvalidRequest(string detail) => new(ApiErrorCode.InvalidRequest, detail);
}
