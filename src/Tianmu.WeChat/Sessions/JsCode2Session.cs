namespace Tianmu.WeChat.Sessions;

/// <summary>Settings of the WeChat server API client (bound from <c>Tianmu:WeChat</c> by the app).</summary>
public sealed class WeChatApiOptions
{
    public const string DefaultApiBaseUrl = "https://api.weixin.qq.com";

    /// <summary>Base URL of WeChat's server API; tests and the simulator point it at 127.0.0.1.</summary>
    public Uri ApiBaseUrl { get; set; } = new(DefaultApiBaseUrl);

    /// <summary>Timeout of one jscode2session call.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>What a jscode2session call came to. Each value maps to one HTTP outcome of the app.</summary>
public enum JsCode2SessionStatus
{
    Success,
    /// <summary>errcode 40029 (invalid code) or 40163 (code already used).</summary>
    InvalidCode,
    /// <summary>errcode 45011.</summary>
    RateLimited,
    /// <summary>errcode 40226: WeChat blocks this high-risk user.</summary>
    LoginBlocked,
    /// <summary>errcode -1: WeChat is busy.</summary>
    Busy,
    /// <summary>errcode 40013 or 40125: the app id or secret is wrong (operator error, logged at Error).</summary>
    InvalidAppCredentials,
    /// <summary>Any other errcode, a non-JSON or incomplete answer, an unexpected HTTP status.</summary>
    UpstreamError,
    /// <summary>No answer within <see cref="WeChatApiOptions.Timeout"/>.</summary>
    Timeout,
    /// <summary>Connection refused, reset or closed; DNS failure; a 5xx answer.</summary>
    Unavailable,
}

/// <summary>A WeChat session: the user's ids and the <c>session_key</c>. ToString never prints the key.</summary>
public sealed record WeChatSession(string OpenId, string SessionKey, string UnionId)
{
    public override string ToString() => $"WeChatSession {{ OpenId = {OpenId}, UnionId = {UnionId} }}";
}

/// <summary>The outcome of one jscode2session call.</summary>
public sealed record JsCode2SessionResult(JsCode2SessionStatus Status, WeChatSession? Session = null, int? ErrorCode = null)
{
    public bool IsSuccess => Status == JsCode2SessionStatus.Success;
}

/// <summary>Exchanges a <c>wx.login</c> code for a session. Sends each code at most once: never retries.</summary>
public interface IJsCode2SessionClient
{
    Task<JsCode2SessionResult> ExchangeAsync(string appId, string secret, string code, CancellationToken cancellationToken);
}
