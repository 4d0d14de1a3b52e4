using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tianmu.WeChat.Sessions;

namespace Tianmu.WeChat.AccessTokens;

/// <summary>
/// <see cref="IWeChatAccessTokenProvider"/> for the whole instance: a singleton holding one entry per app id (the apps
/// the deployment serves), each with its token, its fetch in flight and the time of its last forced refresh.
/// </summary>
/// <remarks>
/// A token is handed out until <see cref="RefreshMargin"/> before WeChat's <c>expires_in</c> ends (the platform renews a
/// stable token 5 minutes ahead; contract, "WeChat access tokens"). A fetch runs with no caller's cancellation token (its
/// own timeout is <see cref="WeChatApiOptions.Timeout"/>), so one caller giving up does not fail the others waiting on it.
/// The HTTP client is created from <see cref="IHttpClientFactory"/> for each fetch, so this singleton does not pin a
/// handler (and its DNS answers) for the life of the process.
/// </remarks>
public sealed partial class WeChatAccessTokenCache(
    IHttpClientFactory httpClientFactory,
    IOptions<WeChatApiOptions> options,
    TimeProvider timeProvider,
    ILogger<WeChatAccessTokenCache> logger) : IWeChatAccessTokenProvider
{
    /// <summary>How long before WeChat's expiry a token stops being handed out.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    /// <summary>Least time between two <c>force_refresh: true</c> requests of one app (WeChat: 30 s apart, 20 a day).</summary>
    public static readonly TimeSpan ForceRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, AppTokens> _apps = new(StringComparer.Ordinal);

    public Task<WeChatAccessTokenResult> GetAsync(string appId, string secret, CancellationToken cancellationToken) =>
        GetAsync(appId, secret, forceRefresh: false, cancellationToken);

    public void Invalidate(string appId, string rejectedToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        if (_apps.TryGetValue(appId, out var app))
        {
            lock (app.Gate)
            {
                if (app.Token is { } token && string.Equals(token.Value, rejectedToken, StringComparison.Ordinal))
                {
                    app.Token = null;
                }
            }
        }
    }

    public async Task<WeChatTokenCallResult<T>> CallAsync<T>(
        string appId,
        string secret,
        Func<string, CancellationToken, Task<T>> apiCall,
        Func<T, bool> isTokenRejected,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apiCall);
        ArgumentNullException.ThrowIfNull(isTokenRejected);

        var first = await GetAsync(appId, secret, cancellationToken).ConfigureAwait(false);
        if (first.Token is not { } firstToken)
        {
            return new(first.Status, TokenErrorCode: first.ErrorCode);
        }

        var result = await apiCall(firstToken.Value, cancellationToken).ConfigureAwait(false);
        if (!isTokenRejected(result))
        {
            return new(WeChatAccessTokenStatus.Success, result);
        }

        LogRejected(logger, appId);
        Invalidate(appId, firstToken.Value);
        var second = await GetAsync(appId, secret, cancellationToken).ConfigureAwait(false);
        if (second.Token is { } same && string.Equals(same.Value, firstToken.Value, StringComparison.Ordinal))
        {
            // WeChat still hands out the token it refused: only a forced refresh replaces it.
            Invalidate(appId, firstToken.Value);
            second = await GetAsync(appId, secret, forceRefresh: true, cancellationToken).ConfigureAwait(false);
        }

        if (second.Token is not { } secondToken)
        {
            return new(second.Status, Retried: false, TokenErrorCode: second.ErrorCode);
        }

        result = await apiCall(secondToken.Value, cancellationToken).ConfigureAwait(false);
        return new(WeChatAccessTokenStatus.Success, result, Retried: true);
    }

    private async Task<WeChatAccessTokenResult> GetAsync(string appId, string secret, bool forceRefresh, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        cancellationToken.ThrowIfCancellationRequested();

        var app = _apps.GetOrAdd(appId, static _ => new AppTokens());
        Task<WeChatAccessTokenResult> fetch;
        lock (app.Gate)
        {
            var now = timeProvider.GetUtcNow();
            if (!forceRefresh && app.Token is { } cached && now < cached.RefreshAt)
            {
                return new WeChatAccessTokenResult(WeChatAccessTokenStatus.Success, cached);
            }

            if (app.Fetch is { IsCompleted: false } inFlight)
            {
                fetch = inFlight;
            }
            else
            {
                var force = forceRefresh && (app.LastForcedAt is not { } last || now - last >= ForceRefreshInterval);
                if (force)
                {
                    app.LastForcedAt = now;
                }
                else if (forceRefresh)
                {
                    LogForceRefreshDeferred(logger, appId, ForceRefreshInterval);
                }

                fetch = app.Fetch = FetchAsync(app, appId, secret, force);
            }
        }

        return await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<WeChatAccessTokenResult> FetchAsync(AppTokens app, string appId, string secret, bool forceRefresh)
    {
        // Leave the caller's lock before doing anything.
        await Task.Yield();
        var client = new StableTokenClient(httpClientFactory.CreateClient(StableTokenClient.HttpClientName), options.Value, logger);
        var answer = await client.FetchAsync(appId, secret, forceRefresh, CancellationToken.None).ConfigureAwait(false);
        if (answer.Status != WeChatAccessTokenStatus.Success || answer.AccessToken is null)
        {
            return new WeChatAccessTokenResult(answer.Status, ErrorCode: answer.ErrorCode);
        }

        var lifetime = TimeSpan.FromSeconds(Math.Min(answer.ExpiresInSeconds, (long)TimeSpan.FromDays(1).TotalSeconds));
        var token = new WeChatAccessToken(answer.AccessToken, timeProvider.GetUtcNow() + lifetime - RefreshMargin);
        lock (app.Gate)
        {
            app.Token = token;
        }

        return new WeChatAccessTokenResult(WeChatAccessTokenStatus.Success, token);
    }

    [LoggerMessage(EventId = WeChatAccessTokenLogEvents.Rejected, Level = LogLevel.Information,
        Message = "WeChat rejected the access token of app {AppId} (40001/42001); retrying once with a fresh token")]
    private static partial void LogRejected(ILogger logger, string appId);

    [LoggerMessage(EventId = WeChatAccessTokenLogEvents.ForceRefreshDeferred, Level = LogLevel.Warning,
        Message = "A forced access-token refresh of app {AppId} came within {Interval} of the last one: fetching without force_refresh")]
    private static partial void LogForceRefreshDeferred(ILogger logger, string appId, TimeSpan interval);

    private sealed class AppTokens
    {
        public Lock Gate { get; } = new();

        public WeChatAccessToken? Token { get; set; }

        public Task<WeChatAccessTokenResult>? Fetch { get; set; }

        public DateTimeOffset? LastForcedAt { get; set; }
    }
}
