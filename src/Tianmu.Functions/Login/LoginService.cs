using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Location;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.WeChat.Sessions;

namespace Tianmu.Functions.Login;

/// <summary>
/// A login: validate, exchange the code with WeChat once, create or update the profile with optimistic
/// concurrency, credit the inviter of a new user exactly once, and issue a token; all within the login budget.
/// </summary>
public sealed partial class LoginService(
    AppRegistry apps,
    IJsCode2SessionClient wechat,
    ProfileStore store,
    ProfileKeys keys,
    TokenService tokens,
    IIpLocator locator,
    IOptions<LoginOptions> options,
    TimeProvider time,
    ILogger<LoginService> logger)
{
    public const int MaxCodeLength = 128;
    public const int MaxFromCodeLength = 128;
    public const int MaxOfpLength = 256;

    private const string InviteMarkerPrefix = "~invited~";

    public async Task<ProfileResponse> LoginAsync(LoginRequest request, IPAddress? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (appId, code, channel) = Validate(request);
        if (!apps.TryGetSecret(appId, out var secret))
        {
            throw new ApiException(ApiErrorCode.UnknownApp, "This app_id is not configured on this deployment.");
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.Value.Budget);
        try
        {
            var session = ToSession(await wechat.ExchangeAsync(appId, secret, code, budget.Token).ConfigureAwait(false));
            var loginTime = time.GetUtcNow();
            var location = locator.Locate(client);
            var (profile, isNew) = await UpsertAsync(appId, session, channel, request.Inviter, location, loginTime, budget.Token).ConfigureAwait(false);
            LogLogin(logger, appId, profile.OpenId, isNew);
            return ProfileResponse.From(profile, isNew, tokens.Issue(appId, profile.OpenId));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogBudgetExceeded(logger, appId, options.Value.Budget);
            throw new ApiException(ApiErrorCode.UpstreamUnavailable, "The login did not complete within its time budget. Retry with a new code.");
        }
    }

    private static (string AppId, string Code, ProfileRules.Channel Channel) Validate(LoginRequest request)
    {
        var appId = Require(request.AppId, "app_id");
        if (!TianmuConfiguration.IdPattern().IsMatch(appId))
        {
            throw ApiException.InvalidRequest("app_id must match ^[A-Za-z0-9_-]{1,64}$.");
        }

        var code = Require(request.Code, "code");
        if (code.Length > MaxCodeLength)
        {
            throw ApiException.InvalidRequest($"code may not exceed {MaxCodeLength} characters.");
        }

        var fromCode = request.FromCode ?? string.Empty;
        if (fromCode.Length > MaxFromCodeLength)
        {
            throw ApiException.InvalidRequest($"from_code may not exceed {MaxFromCodeLength} characters.");
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
        switch (result.Status)
        {
            case JsCode2SessionStatus.Success when result.Session is { } session:
                if (!TianmuConfiguration.IdPattern().IsMatch(session.OpenId))
                {
                    LogUnusableOpenId(logger);
                    throw new ApiException(ApiErrorCode.UpstreamError, "WeChat returned an open id this service cannot store.");
                }

                return session;
            case JsCode2SessionStatus.InvalidCode:
                throw new ApiException(ApiErrorCode.InvalidCode, "WeChat rejected the login code: it is invalid or was already used. Call wx.login again.");
            case JsCode2SessionStatus.RateLimited:
                throw new ApiException(ApiErrorCode.RateLimited, "WeChat is rate-limiting logins of this user. Retry later.");
            case JsCode2SessionStatus.LoginBlocked:
                throw new ApiException(ApiErrorCode.LoginBlocked, "WeChat refused the login of this user.");
            case JsCode2SessionStatus.Busy:
            case JsCode2SessionStatus.Timeout:
            case JsCode2SessionStatus.Unavailable:
                throw new ApiException(ApiErrorCode.UpstreamUnavailable, "WeChat is busy or unreachable; nothing was changed. Retry with a new code.");
            case JsCode2SessionStatus.InvalidAppCredentials:
                throw new ApiException(ApiErrorCode.UpstreamError, "WeChat refused this app's credentials; the operator has been alerted.");
            default:
                throw new ApiException(ApiErrorCode.UpstreamError, "WeChat answered something this service cannot use.");
        }
    }

    private async Task<(ProfileEntity Profile, bool IsNew)> UpsertAsync(
        string appId, WeChatSession session, ProfileRules.Channel channel, string? inviterId, IpLocation location, DateTimeOffset loginTime, CancellationToken cancellationToken)
    {
        var partitionKey = keys.PartitionKey(appId, session.OpenId);
        for (var attempt = 0; attempt < ConflictBackoff.MaxAttempts; attempt++)
        {
            if (attempt > 0)
            {
                await ConflictBackoff.DelayAsync(attempt, time, cancellationToken).ConfigureAwait(false);
            }

            var existing = await store.GetAsync(partitionKey, session.OpenId, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                ProfileRules.ApplyLogin(existing, session, location, loginTime);
                if (existing.PendingInviter.Length > 0
                    && await CreditInviterAcrossPartitionsAsync(appId, existing.PendingInviter, existing.OpenId, cancellationToken).ConfigureAwait(false))
                {
                    existing.PendingInviter = string.Empty;
                }

                if (await store.TryReplaceAsync(existing, cancellationToken).ConfigureAwait(false))
                {
                    return (existing, false);
                }

                continue;
            }

            var created = ProfileRules.Create(partitionKey, appId, session, channel, location, loginTime);
            var inviter = await FindInviterAsync(appId, inviterId, session.OpenId, cancellationToken).ConfigureAwait(false);
            if (inviter is null)
            {
                if (await store.TryAddAsync(created, cancellationToken).ConfigureAwait(false))
                {
                    return (created, true);
                }
            }
            else if (inviter.PartitionKey == partitionKey)
            {
                // Creation and credit in one entity-group transaction: both happen, exactly once, or neither.
                inviter.ShareNew++;
                TableTransactionAction[] actions =
                [
                    new(TableTransactionActionType.Add, created),
                    new(TableTransactionActionType.UpdateReplace, inviter, inviter.ETag),
                ];
                if (await store.TrySubmitAsync(actions, cancellationToken).ConfigureAwait(false))
                {
                    return (created, true);
                }
            }
            else
            {
                // The inviter lives in another partition: record the debt with the new user, then pay it
                // idempotently; a failure here is paid by this user's next login.
                created.PendingInviter = inviter.OpenId;
                if (await store.TryAddAsync(created, cancellationToken).ConfigureAwait(false))
                {
                    await CreditInviterAcrossPartitionsAsync(appId, inviter.OpenId, created.OpenId, cancellationToken).ConfigureAwait(false);
                    return (created, true);
                }
            }
        }

        LogTooManyConflicts(logger, appId, ConflictBackoff.MaxAttempts);
        throw new ApiException(ApiErrorCode.UpstreamUnavailable, "The profile is too busy to update right now; nothing was changed. Retry shortly.");
    }

    // An attribution field never blocks a login: anything but an existing other user of the same app is ignored.
    private async Task<ProfileEntity?> FindInviterAsync(string appId, string? inviterId, string openId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(inviterId) || inviterId == openId || !TianmuConfiguration.IdPattern().IsMatch(inviterId))
        {
            return null;
        }

        return await store.GetAsync(keys.PartitionKey(appId, inviterId), inviterId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds 1 to the inviter's <c>share_new</c> together with a marker row for this new user in the inviter's
    /// partition: the marker makes the credit idempotent across retries and crashes. True once credited.
    /// </summary>
    private async Task<bool> CreditInviterAcrossPartitionsAsync(string appId, string inviterId, string newUserId, CancellationToken cancellationToken)
    {
        var partitionKey = keys.PartitionKey(appId, inviterId);
        var markerKey = InviteMarkerPrefix + newUserId;
        for (var attempt = 0; attempt < ConflictBackoff.MaxAttempts; attempt++)
        {
            if (attempt > 0)
            {
                await ConflictBackoff.DelayAsync(attempt, time, cancellationToken).ConfigureAwait(false);
            }

            var inviter = await store.GetAsync(partitionKey, inviterId, cancellationToken).ConfigureAwait(false);
            if (inviter is null)
            {
                return true;
            }

            inviter.ShareNew++;
            TableTransactionAction[] actions =
            [
                new(TableTransactionActionType.Add, new TableEntity(partitionKey, markerKey)),
                new(TableTransactionActionType.UpdateReplace, inviter, inviter.ETag),
            ];
            if (await store.TrySubmitAsync(actions, cancellationToken).ConfigureAwait(false)
                || await store.ExistsAsync(partitionKey, markerKey, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Login of {OpenId} in app {AppId} (new: {IsNew})")]
    private static partial void LogLogin(ILogger logger, string appId, string openId, bool isNew);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Login in app {AppId} exceeded its budget of {Budget}")]
    private static partial void LogBudgetExceeded(ILogger logger, string appId, TimeSpan budget);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "WeChat returned an open id that is not a legal key")]
    private static partial void LogUnusableOpenId(ILogger logger);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Login in app {AppId} gave up after {Attempts} conflicting writes")]
    private static partial void LogTooManyConflicts(ILogger logger, string appId, int attempts);
}
