using System.Buffers.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Apps;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.WeChat.Crypto;

namespace Tianmu.Functions.UserInfo;

/// <summary>
/// Stores the user info a player shared through the user-info button: decrypt with the latest session key,
/// verify watermark, open id and signature, then merge without letting anonymous placeholders win.
/// </summary>
public sealed partial class UserInfoService(
    TokenService tokens,
    ProfileStore store,
    ProfileKeys keys,
    IOptions<LoginOptions> options,
    TimeProvider time,
    ILogger<UserInfoService> logger)
{
    /// <summary>The user a bearer token speaks for, whose profile must exist (else 401 <c>invalid_token</c>).</summary>
    public async Task<ProfileEntity> AuthenticateAsync(string? authorizationHeader, CancellationToken cancellationToken)
    {
        var subject = await tokens.ValidateAsync(TokenService.FromAuthorizationHeader(authorizationHeader)).ConfigureAwait(false)
            ?? throw InvalidToken();
        return await WithinBudgetAsync(
                token => store.GetAsync(keys.PartitionKey(subject.AppId, subject.OpenId), subject.OpenId, token),
                cancellationToken).ConfigureAwait(false)
            ?? throw InvalidToken();
    }

    public async Task<ProfileResponse> UpdateAsync(ProfileEntity profile, UpdateUserInfoRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(request);
        var (encryptedData, iv) = Validate(request);
        return await WithinBudgetAsync(token => StoreAsync(profile, encryptedData, iv, request, token), cancellationToken).ConfigureAwait(false);
    }

    // Storage work is bounded like a login's (Tianmu__Login__Budget): a hanging store answers 503, not a hung request.
    private async Task<T> WithinBudgetAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.Value.Budget);
        try
        {
            return await work(budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ApiException(ApiErrorCode.UpstreamUnavailable, "Profile storage did not answer within the time budget; nothing was changed. Retry shortly.");
        }
    }

    private async Task<ProfileResponse> StoreAsync(ProfileEntity profile, string encryptedData, string iv, UpdateUserInfoRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < ConflictBackoff.MaxAttempts; attempt++)
        {
            if (attempt > 0)
            {
                await ConflictBackoff.DelayAsync(attempt, time, cancellationToken).ConfigureAwait(false);
                profile = await store.GetAsync(profile.PartitionKey, profile.RowKey, cancellationToken).ConfigureAwait(false)
                    ?? throw InvalidToken();
            }

            // Decrypt on every attempt with the key of the row being written: a login in between may have rotated it.
            var info = Open(profile, encryptedData, iv, request);
            ProfileRules.ApplyUserInfo(profile, info);
            if (await store.TryReplaceAsync(profile, cancellationToken).ConfigureAwait(false))
            {
                LogUpdated(logger, profile.AppId, profile.OpenId);
                return ProfileResponse.From(profile, isNew: false, jwt: string.Empty);
            }
        }

        throw new ApiException(ApiErrorCode.UpstreamUnavailable, "The profile is too busy to update right now; nothing was changed. Retry shortly.");
    }

    private static (string EncryptedData, string Iv) Validate(UpdateUserInfoRequest request)
    {
        if (string.IsNullOrEmpty(request.EncryptedData))
        {
            throw ApiException.InvalidRequest("encryptedData is required.");
        }

        if (!Base64.IsValid(request.EncryptedData))
        {
            throw ApiException.InvalidRequest("encryptedData must be base64.");
        }

        if (string.IsNullOrEmpty(request.Iv))
        {
            throw ApiException.InvalidRequest("iv is required.");
        }

        if (!Base64.IsValid(request.Iv, out var ivLength) || ivLength != 16)
        {
            throw ApiException.InvalidRequest("iv must be the base64 of 16 bytes.");
        }

        if (request.Signature is { } signature && (signature.Length != 40 || !signature.All(char.IsAsciiHexDigit)))
        {
            throw ApiException.InvalidRequest("signature must be 40 hexadecimal characters.");
        }

        if (request.RawData is not null && request.Signature is null)
        {
            throw ApiException.InvalidRequest("rawData requires signature.");
        }

        return (request.EncryptedData, request.Iv);
    }

    // One answer for every cause, so that a client cannot tell padding from JSON from watermark failures.
    private static WeChatUserInfo Open(ProfileEntity profile, string encryptedData, string iv, UpdateUserInfoRequest request)
    {
        if (profile.SessionKey.Length == 0)
        {
            throw new ApiException(ApiErrorCode.SessionExpired, "No WeChat session is stored for this user. Log in again, then retry.");
        }

        try
        {
            var info = WeChatDataCrypto.DecryptUserInfo(encryptedData, iv, profile.SessionKey, profile.AppId);
            var sameUser = info.OpenId.Length == 0 || string.Equals(info.OpenId, profile.OpenId, StringComparison.Ordinal);
            var signed = request.RawData is null || WeChatDataCrypto.VerifySignature(request.RawData, profile.SessionKey, request.Signature!);
            if (sameUser && signed)
            {
                return info;
            }
        }
        catch (WeChatDecryptionException)
        {
        }

        throw new ApiException(ApiErrorCode.DecryptFailed, "The encrypted data does not verify for this user's current WeChat session. Log in again and ask the user again.");
    }

    private static ApiException InvalidToken() =>
        new(ApiErrorCode.InvalidToken, "A valid bearer token from login is required.");

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "User info stored for {OpenId} in app {AppId}")]
    private static partial void LogUpdated(ILogger logger, string appId, string openId);
}
