using System.Buffers.Text;
using Microsoft.Extensions.Logging;
using Tianmu.Functions.Http;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;
using Tianmu.WeChat.Crypto;

namespace Tianmu.Functions.UserInfo;

/// <summary>
/// Stores the user info a player shared through the user-info button: decrypt with the latest session key,
/// verify watermark, open id and signature, then merge without letting anonymous placeholders win.
/// </summary>
public sealed partial class UserInfoService(ProfileRepository profiles, ILogger<UserInfoService> logger)
{
    /// <summary>
    /// Decrypts and verifies the user info of <paramref name="request"/> for <paramref name="profile"/> (the
    /// authenticated caller) and stores it, within <paramref name="budget"/> (docs/API.md, "POST /api/updateUserInfo").
    /// </summary>
    /// <returns>The whole profile as stored, <c>jwt</c> <c>""</c>.</returns>
    /// <exception cref="ApiException">400 <c>invalid_request</c>, 401 <c>invalid_token</c> (the profile vanished),
    /// 409 <c>session_expired</c>, 422 <c>decrypt_failed</c>, 503 <c>upstream_unavailable</c>.</exception>
    public async Task<ProfileResponse> UpdateAsync(ProfileEntity profile, UpdateUserInfoRequest request, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(budget);
        var (encryptedData, iv) = Validate(request);
        var updated = await budget.RunAsync(token => profiles.UpdateAsync(
                profile,
                row =>
                {
                    // Decrypt on every attempt with the key of the row being written: a login in between may have rotated it.
                    // Info that changes nothing writes nothing (no storage write for a replayed request).
                    return ProfileRules.ApplyUserInfo(row, Open(row, encryptedData, iv, request));
                },
                token)).ConfigureAwait(false)
            ?? throw BearerAuthenticator.InvalidToken();
        LogUpdated(logger, updated.AppId, updated.OpenId);
        return ProfileResponse.From(updated, isNew: false, jwt: string.Empty);
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

    /// <summary>
    /// The user info sealed for <paramref name="profile"/> with its current session key, verified (watermark, open id,
    /// signature, stored lengths). One answer for every cause, so that a client cannot tell padding from JSON from
    /// watermark failures.
    /// </summary>
    /// <exception cref="ApiException">409 <c>session_expired</c>; 422 <c>decrypt_failed</c>.</exception>
    internal static WeChatUserInfo Open(ProfileEntity profile, string encryptedData, string iv, UpdateUserInfoRequest request)
    {
        if (profile.SessionKey.Length == 0)
        {
            throw new ApiException(ApiErrorCode.SessionExpired, "No WeChat session is stored for this user. Log in again, then retry.");
        }

        try
        {
            var info = WeChatDataCrypto.DecryptUserInfo(encryptedData, iv, profile.SessionKey, profile.AppId);
            // openId is required: WeChat seals it first, so a client who alters the iv to rewrite the first block cannot
            // keep it and forge other members (a union id, and so the pid).
            var sameUser = string.Equals(info.OpenId, profile.OpenId, StringComparison.Ordinal);
            var signed = request.RawData is null || WeChatDataCrypto.VerifySignature(request.RawData, profile.SessionKey, request.Signature!);
            if (sameUser && signed && ProfileRules.FitsStorage(info))
            {
                return info;
            }
        }
        catch (WeChatDecryptionException)
        {
        }

        throw new ApiException(ApiErrorCode.DecryptFailed, "The encrypted data does not verify for this user's current WeChat session. Log in again and ask the user again.");
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "User info stored for {OpenId} in app {AppId}")]
    private static partial void LogUpdated(ILogger logger, string appId, string openId);
}
