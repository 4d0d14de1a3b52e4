using System.Collections.Concurrent;

namespace Tianmu.WeChat.Tests.ServerApi;

/// <summary>
/// A model of WeChat's stable token for one test: <c>stable_token</c> hands out the current token (a forced refresh makes
/// a new one), and the check endpoints refuse revoked tokens with 40001 (or <see cref="RejectionCode"/>) and otherwise
/// answer <see cref="CheckAnswer"/>.
/// </summary>
public sealed class StableWeChat
{
    private int _generation = 1;

    public string Current => $"access-token-{Volatile.Read(ref _generation)}-3f9a1c";

    public ConcurrentDictionary<string, bool> Revoked { get; } = new(StringComparer.Ordinal);

    public int RejectionCode { get; set; } = 40001;

    public TimeSpan TokenDelay { get; set; }

    public long ExpiresIn { get; set; } = 7200;

    /// <summary>The answer of stable_token; null: the normal token answer.</summary>
    public Func<int, Task<(int, string, string)?>>? TokenAnswer { get; set; }

    public Func<ApiRequest, Task<(int, string, string)?>> CheckAnswer { get; set; } =
        _ => FakeWeChatApi.Json("""{"errcode":0,"errmsg":"ok","result":{"suggest":"pass","label":100},"detail":[],"trace_id":"t-1"}""");

    public void RevokeCurrent() => Revoked[Current] = true;

    public ApiBehaviour Behaviour => async (request, index) =>
    {
        if (request.Path == "/cgi-bin/stable_token")
        {
            if (TokenDelay > TimeSpan.Zero)
            {
                await Task.Delay(TokenDelay);
            }

            if (TokenAnswer is not null)
            {
                return await TokenAnswer(index);
            }

            if (request.ForceRefresh == true)
            {
                Interlocked.Increment(ref _generation);
            }

            return await FakeWeChatApi.Json($$"""{"access_token":"{{Current}}","expires_in":{{ExpiresIn}}}""");
        }

        if (request.AccessToken is null || Revoked.ContainsKey(request.AccessToken) || request.AccessToken != Current)
        {
            return await FakeWeChatApi.Json($$"""{"errcode":{{RejectionCode}},"errmsg":"invalid credential, access_token is invalid or not latest"}""");
        }

        return await CheckAnswer(request);
    };
}
