using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.Profiles;

/// <summary>
/// Item 1: 100 parallel first logins over 10 users with 50 updateUserInfo calls interleaved. Counters are exact,
/// each user is new exactly once, and every stored user-info field comes from one request (no torn writes).
/// Half the users keep their session key across logins; for the other half every login rotates it, so their
/// updates may fail with 422, which must then store nothing.
/// </summary>
public sealed class ConcurrencyTests(AppFixture fixture) : AppTest(fixture)
{
    private const int Users = 10;
    private const int LoginsPerUser = 10;
    private const int UpdatesPerUser = 5;

    [Fact]
    public async Task Parallel_logins_and_interleaved_updates_keep_every_counter_exact_and_every_row_whole()
    {
        await using var app = await StartAppAsync();
        var users = Enumerable.Range(0, Users).Select(i => $"crowd-{i}").ToArray();
        var steady = users.Take(Users / 2).ToHashSet(StringComparer.Ordinal);
        foreach (var user in steady)
        {
            app.WeChat.KeepSessionKey(user);
        }

        var firstToken = users.ToDictionary(u => u, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();

        var logins = users.SelectMany(u => Enumerable.Repeat(u, LoginsPerUser)).Select(async user =>
        {
            var code = app.WeChat.NewCode(user);
            var response = await app.Client.PostAsync("/api/login", AppUnderTest.Json($"{{\"app_id\":\"{TestHost.AppId}\",\"code\":\"{code}\"}}"));
            await app.RecordAsync(response);
            var text = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                firstToken[user].TrySetResult(JsonDocument.Parse(text).RootElement.GetProperty("jwt").GetString()!);
            }

            return (User: user, Status: (int)response.StatusCode, Body: text);
        }).ToArray();

        var updates = users.SelectMany(u => Enumerable.Range(0, UpdatesPerUser).Select(i => (User: u, Info: Info(u, i)))).Select(async update =>
        {
            var token = await firstToken[update.User].Task.WaitAsync(TimeSpan.FromSeconds(30));
            var body = app.Seal(update.User, update.Info.Nick, avatarUrl: update.Info.Avatar, gender: update.Info.Gender, city: update.Info.City, province: update.Info.Province, country: update.Info.Country);
            SecretsWitness.NoteSealedBody(body);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/updateUserInfo") { Content = AppUnderTest.Json(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var response = await app.Client.SendAsync(request);
            await app.RecordAsync(response);
            return (update.User, update.Info, Status: (int)response.StatusCode);
        }).ToArray();

        var loginResults = await Task.WhenAll(logins);
        var updateResults = await Task.WhenAll(updates);
        var elapsed = clock.Elapsed;

        Assert.All(loginResults, r => Assert.True(r.Status == 200, $"{r.User}: {r.Status} {r.Body}"));
        foreach (var user in users)
        {
            var answers = loginResults.Where(r => r.User == user).Select(r => JsonDocument.Parse(r.Body).RootElement).ToArray();
            Assert.Single(answers, a => a.GetProperty("is_new").GetBoolean());
            Assert.Equal(Enumerable.Range(1, LoginsPerUser), answers.Select(a => (int)a.GetProperty("login_times").GetInt64()).Order());

            var row = (await app.RowAsync(user))!;
            Assert.Equal(LoginsPerUser, row.LoginTimes);
            Assert.Equal(1, row.OnlineDays);
            var mine = updateResults.Where(r => r.User == user).ToArray();
            if (steady.Contains(user))
            {
                Assert.All(mine, r => Assert.True(r.Status == 200, $"{user}: update answered {r.Status}"));
                Assert.Equal(app.WeChat.SessionKeyOf(user), row.SessionKey);
            }
            else
            {
                Assert.All(mine, r => Assert.True(r.Status is 200 or 422, $"{user}: update answered {r.Status}"));
            }

            var stored = new UserInfo(row.NickName, row.AvatarUrl, row.Gender, row.City, row.Province, row.Country);
            var accepted = mine.Where(r => r.Status == 200).Select(r => r.Info).ToArray();
            Assert.True(
                accepted.Length == 0 ? stored == new UserInfo(string.Empty, string.Empty, 0, string.Empty, string.Empty, string.Empty) : accepted.Contains(stored),
                $"{user}: the stored user info {stored} is not one accepted request's ({string.Join("; ", accepted)})");
        }

        Figures.Record("concurrency", "parallel logins", loginResults.Length);
        Figures.Record("concurrency", "interleaved updateUserInfo calls", updateResults.Length);
        Figures.Record("concurrency", "updateUserInfo answered 200", updateResults.Count(r => r.Status == 200));
        Figures.Record("concurrency", "updateUserInfo answered 422 (key rotated)", updateResults.Count(r => r.Status == 422));
        Figures.Record("concurrency", "wall time for all 150 requests ms", elapsed.TotalMilliseconds);
    }

    private static UserInfo Info(string user, int i) =>
        new($"N-{user}-{i}", $"https://thirdwx.qlogo.cn/mmopen/vi_32/{user}/{i}/132", 1 + (i % 2), $"City-{user}-{i}", $"Province-{user}-{i}", $"Country-{user}-{i}");

    private sealed record UserInfo(string Nick, string Avatar, int Gender, string City, string Province, string Country);
}
