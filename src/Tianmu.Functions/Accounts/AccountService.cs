using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.Functions.Http;
using Tianmu.Functions.MiniProgramProfile;
using Tianmu.Functions.Profiles;
using Tianmu.Functions.Tokens;

namespace Tianmu.Functions.Accounts;

/// <summary>
/// A user's rights over their data (docs/API.md, "Accounts"; docs/PRIVACY.md): a copy of everything stored, and
/// deletion of all of it, leaving only a tombstone.
/// </summary>
public sealed partial class AccountService(
    ProfileRepository profiles, AvatarBlobStore avatarImages, IOptions<AccountOptions> options, TimeProvider time, ILogger<AccountService> logger)
{
    /// <summary>Everything stored about the caller, never the session key.</summary>
    /// <exception cref="ApiException">503 <c>upstream_unavailable</c> when storage fails or the budget runs out.</exception>
    public async Task<AccountExport> ExportAsync(ProfileEntity caller, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(budget);
        var rows = await budget.RunAsync(token => profiles.ListUserRowsAsync(caller.AppId, caller.OpenId, token)).ConfigureAwait(false);
        var profile = rows.Profile ?? throw BearerAuthenticator.InvalidToken();
        var node = JsonSerializer.SerializeToNode(ProfileResponse.From(profile, isNew: false, jwt: string.Empty), ProfileJson.Web.ProfileResponse)!.AsObject();
        node.Remove("jwt");
        node.Remove("is_new");
        LogExport(logger, caller.AppId, caller.OpenId);
        return new AccountExport(
            node,
            profile.CreatedAt?.ToUnixTimeSeconds() ?? 0,
            [.. rows.OfKind(UserRowKinds.Wallet).Select(row => AccountExportRows.ToWalletTransaction(profile.OpenId, row))],
            [.. rows.OfKind(UserRowKinds.Share).Select(row => AccountExportRows.ToShare(profile.OpenId, row))],
            time.GetUtcNow().ToUnixTimeSeconds());
    }

    /// <summary>
    /// <c>DELETE /api/account</c>: deletes the caller's account when its token's <c>auth_time</c> is recent enough.
    /// </summary>
    /// <exception cref="ApiException">403 <c>recent_login_required</c> when the login is older than
    /// <c>Tianmu__Account__RecentLogin</c>; 401 <c>invalid_token</c> when the account is already gone; 503
    /// <c>upstream_unavailable</c> when storage fails.</exception>
    public async Task DeleteAsync(BearerCaller caller, RequestBudget budget)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(budget);
        if (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(caller.Token.AuthTime) > options.Value.RecentLogin)
        {
            throw new ApiException(ApiErrorCode.RecentLoginRequired, "Deleting the account needs a recent login: log in again, then retry.");
        }

        if (!await budget.RunAsync(token => DeleteAsync(caller.Profile.AppId, caller.Profile.OpenId, token)).ConfigureAwait(false))
        {
            throw BearerAuthenticator.InvalidToken();
        }
    }

    /// <summary>
    /// Deletes every row of a user and records the tombstone (also WeChat's <c>user_authorization_cancellation</c>).
    /// False when nothing of the user was stored.
    /// </summary>
    /// <exception cref="ApiException">503 <c>upstream_unavailable</c> when storage fails.</exception>
    public async Task<bool> DeleteAsync(string appId, string openId, CancellationToken cancellationToken)
    {
        // The uploaded avatar image goes too (docs/PRIVACY.md): read its name before the profile row is gone.
        var image = (await profiles.FindAsync(appId, openId, cancellationToken).ConfigureAwait(false))?.AvatarBlobName ?? string.Empty;
        var deleted = await profiles.DeleteUserAsync(appId, openId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (deleted)
        {
            await avatarImages.TryDeleteAsync(image, CancellationToken.None).ConfigureAwait(false);
            LogDeleted(logger, appId, openId);
        }

        return deleted;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "Account of {OpenId} in app {AppId} exported")]
    private static partial void LogExport(ILogger logger, string appId, string openId);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "An account in app {AppId} was deleted")]
    private static partial void LogDeletedInfo(ILogger logger, string appId);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Account of {OpenId} in app {AppId} deleted")]
    private static partial void LogDeletedDebug(ILogger logger, string appId, string openId);

    private static void LogDeleted(ILogger logger, string appId, string openId)
    {
        LogDeletedInfo(logger, appId);
        LogDeletedDebug(logger, appId, openId);
    }
}
