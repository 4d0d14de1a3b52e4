using System.Net;
using Microsoft.Extensions.Logging;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Limits;
using Tianmu.Functions.Location;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.WeChat.Sessions;

namespace Tianmu.Functions.Login;

/// <summary>
/// A login (docs/API.md, "POST /api/login"): validate, exchange the code with WeChat once, create or update the
/// profile, and issue a token; all within the request budget.
/// </summary>
public sealed partial class LoginService(
    AppRegistry apps,
    IJsCode2SessionClient wechat,
    ProfileRepository profiles,
    TokenService tokens,
    IIpLocator locator,
    RequestBudgets budgets,
    AbuseLimits limits,
    TimeProvider time,
    ILogger<LoginService> logger)
{
    public const int MaxCodeLength = 128;
    public const int MaxFromCodeLength = 128;
    public const int MaxOfpLength = 256;

    /// <summary>Logs a user in; the answer is the profile with a fresh token.</summary>
    /// <exception cref="ApiException">Every failure of the contract's error table that a login can meet.</exception>
    public async Task<ProfileResponse> LoginAsync(LoginRequest request, IPAddress? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (appId, code, channel) = Validate(request);
        if (!apps.TryGetSecret(appId, out var secret))
        {
            throw new ApiException(ApiErrorCode.UnknownApp, "This app_id is not configured on this deployment.");
        }

        using var budget = budgets.Start(cancellationToken);
        try
        {
            var exchanged = await wechat.ExchangeAsync(appId, secret, code, budget.Token).ConfigureAwait(false);
            if (exchanged.Status == JsCode2SessionStatus.InvalidCode)
            {
                // Only logins WeChat rejected count toward the per-IP limit: accepted ones may share an address by
                // the thousand (carrier-grade NAT).
                limits.RecordRejectedLogin(client);
            }

            var session = ToSession(exchanged);
            var loginTime = time.GetUtcNow();
            var location = locator.Locate(client);
            var (profile, isNew) = await profiles.UpsertAsync(
                appId,
                session.OpenId,
                create: () => ProfileRules.Create(appId, session, channel, location, loginTime),
                update: existing => ProfileRules.ApplyLogin(existing, session, location, loginTime),
                request.Inviter,
                budget.Token).ConfigureAwait(false);
            LogLogin(logger, appId, profile.OpenId, isNew);
            return ProfileResponse.From(profile, isNew, tokens.Issue(profile, loginTime).Jwt);
        }
        catch (OperationCanceledException exception) when (budget.IsExceeded(exception))
        {
            LogBudgetExceeded(logger, appId, budgets.Budget);
            throw new ApiException(ApiErrorCode.UpstreamUnavailable, "The login did not complete within its time budget. Retry with a new code.");
        }
    }

    private static (string AppId, string Code, ProfileRules.Channel Channel) Validate(LoginRequest request)
    {
        var appId = Require(request.AppId, "app_id");
        if (!ProfileKeys.IsLegalId(appId))
        {
            throw ApiException.InvalidRequest("app_id must match ^[A-Za-z0-9_-]{1,64}$.");
        }

        var code = Require(request.Code, "code");
        if (code.Length > MaxCodeLength)
        {
            throw ApiException.InvalidRequest($"code may not exceed {MaxCodeLength} characters.");
        }

        var fromCode = request.FromCode ?? request.ChannelCode ?? string.Empty;
        if (fromCode.Length > MaxFromCodeLength)
        {
            throw ApiException.InvalidRequest($"from_code (or channelCode) may not exceed {MaxFromCodeLength} characters.");
        }

        var ofp = request.Ofp ?? string.Empty;
        if (ofp.Length > MaxOfpLength)
        {
            throw ApiException.InvalidRequest($"ofp may not exceed {MaxOfpLength} characters.");
        }

        return (appId, code, new ProfileRules.Channel(request.Scene ?? string.Empty, fromCode, ofp));
    }

    private static string Require(string? value, string name) =>
        string.IsNullOrEmpty(value) ? throw ApiException.InvalidRequest($"{name} is required.") : value;

    private WeChatSession ToSession(JsCode2SessionResult result)
    {
        if (result.Status == JsCode2SessionStatus.Success && result.Session is { } session)
        {
            return ProfileKeys.IsLegalId(session.OpenId) ? session : throw UnusableOpenId();
        }

        throw result.Status switch
        {
            JsCode2SessionStatus.InvalidCode => new ApiException(ApiErrorCode.InvalidCode, "WeChat rejected the login code: it is invalid or was already used. Call wx.login again."),
            JsCode2SessionStatus.RateLimited => new ApiException(ApiErrorCode.RateLimited, "WeChat is rate-limiting logins of this user. Retry later."),
            JsCode2SessionStatus.LoginBlocked => new ApiException(ApiErrorCode.LoginBlocked, "WeChat refused the login of this user."),
            JsCode2SessionStatus.Busy or JsCode2SessionStatus.Timeout or JsCode2SessionStatus.Unavailable =>
                new ApiException(ApiErrorCode.UpstreamUnavailable, "WeChat is busy or unreachable; nothing was changed. Retry with a new code."),
            JsCode2SessionStatus.InvalidAppCredentials => new ApiException(ApiErrorCode.UpstreamError, "WeChat refused this app's credentials; the operator has been alerted."),
            _ => new ApiException(ApiErrorCode.UpstreamError, "WeChat answered something this service cannot use."),
        };
    }

    private ApiException UnusableOpenId()
    {
        LogUnusableOpenId(logger);
        return new ApiException(ApiErrorCode.UpstreamError, "WeChat returned an open id this service cannot store.");
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Login of {OpenId} in app {AppId} (new: {IsNew})")]
    private static partial void LogLogin(ILogger logger, string appId, string openId, bool isNew);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Login in app {AppId} exceeded its budget of {Budget}")]
    private static partial void LogBudgetExceeded(ILogger logger, string appId, TimeSpan budget);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "WeChat returned an open id that is not a legal key")]
    private static partial void LogUnusableOpenId(ILogger logger);
}
