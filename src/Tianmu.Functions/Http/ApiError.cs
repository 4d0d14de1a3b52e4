using System.Collections.Frozen;

namespace Tianmu.Functions.Http;

/// <summary>The stable error codes of the HTTP contract (docs/API.md, "Conventions"). One row each.</summary>
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
    ContentRejected,
    RateLimited,
    UpstreamError,
    UpstreamUnavailable,
    InvalidServerKey,
    UnknownUser,
    IdempotencyConflict,
    InsufficientFunds,
    BalanceLimit,
    InternalError,
    InvalidSignature,
    RecentLoginRequired,
}

/// <summary>How one <see cref="ApiErrorCode"/> appears on the wire.</summary>
public sealed record ApiErrorDescriptor(int Status, string Code, string Title, int? RetryAfterSeconds = null);

/// <summary>
/// The contract's error table (docs/API.md, "Conventions"), in code and keyed by code: the only place that maps a
/// code to its status, title and <c>Retry-After</c>. A test holds it equal to the table in docs/API.md.
/// </summary>
public static class ApiErrors
{
    private static readonly FrozenDictionary<ApiErrorCode, ApiErrorDescriptor> Table = new Dictionary<ApiErrorCode, ApiErrorDescriptor>
    {
        [ApiErrorCode.InvalidRequest] = new(400, "invalid_request", "The request is invalid."),
        [ApiErrorCode.InvalidCode] = new(400, "invalid_code", "WeChat rejected the login code."),
        [ApiErrorCode.InvalidToken] = new(401, "invalid_token", "The bearer token is missing or invalid."),
        [ApiErrorCode.LoginBlocked] = new(403, "login_blocked", "WeChat refused the login of this user."),
        [ApiErrorCode.UnknownApp] = new(404, "unknown_app", "The app is not configured on this deployment."),
        [ApiErrorCode.MethodNotAllowed] = new(405, "method_not_allowed", "The method is not allowed on this route."),
        [ApiErrorCode.SessionExpired] = new(409, "session_expired", "No usable WeChat session is stored for this user."),
        [ApiErrorCode.PayloadTooLarge] = new(413, "payload_too_large", "The request body is too large."),
        [ApiErrorCode.UnsupportedMediaType] = new(415, "unsupported_media_type", "The request body must be JSON."),
        [ApiErrorCode.DecryptFailed] = new(422, "decrypt_failed", "The encrypted data could not be verified."),
        [ApiErrorCode.ContentRejected] = new(422, "content_rejected", "The content was rejected."),
        [ApiErrorCode.RateLimited] = new(429, "rate_limited", "Too many requests; retry after the time given.", RetryAfterSeconds: 60),
        [ApiErrorCode.UpstreamError] = new(502, "upstream_error", "WeChat answered something this service cannot use."),
        [ApiErrorCode.UpstreamUnavailable] = new(503, "upstream_unavailable", "A service this request depends on is unavailable.", RetryAfterSeconds: 1),
        [ApiErrorCode.InvalidServerKey] = new(401, "invalid_server_key", "The server key is missing or invalid."),
        [ApiErrorCode.UnknownUser] = new(404, "unknown_user", "The user has no profile in this app."),
        [ApiErrorCode.IdempotencyConflict] = new(409, "idempotency_conflict", "The idempotency key was used with another body."),
        [ApiErrorCode.InsufficientFunds] = new(409, "insufficient_funds", "The balance is too low for this debit."),
        [ApiErrorCode.BalanceLimit] = new(409, "balance_limit", "The credit would take the balance over its ceiling."),
        [ApiErrorCode.InternalError] = new(500, "internal_error", "The service failed unexpectedly."),
        [ApiErrorCode.InvalidSignature] = new(401, "invalid_signature", "The WeChat push does not verify for this app."),
        [ApiErrorCode.RecentLoginRequired] = new(403, "recent_login_required", "This action needs a recent login."),
    }.ToFrozenDictionary();

    /// <summary>How <paramref name="code"/> appears on the wire.</summary>
    public static ApiErrorDescriptor Describe(ApiErrorCode code) => Table[code];

    /// <summary>Every row, in the order of the enum.</summary>
    public static IReadOnlyList<ApiErrorDescriptor> All { get; } = [.. Enum.GetValues<ApiErrorCode>().Select(code => Table[code])];
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

    /// <summary>
    /// <c>Retry-After</c> in whole seconds when it is not the table's fixed value (Tianmu's own limits: the time until
    /// a request can succeed, docs/API.md "Abuse limits"); null for the table's value.
    /// </summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiException InvalidRequest(string detail) => new(ApiErrorCode.InvalidRequest, detail);
}
