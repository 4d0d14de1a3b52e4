using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Tianmu.Functions.Tests.Play;

/// <summary>Starting an app on a fake clock and speaking the play routes.</summary>
public static class PlayTestApp
{
    /// <summary>23:59:00 in China (UTC+8) on 2026-11-30: one minute before a UTC+8 midnight.</summary>
    public static readonly DateTimeOffset OneMinuteBeforeChinaMidnight = new(2026, 11, 30, 15, 59, 0, TimeSpan.Zero);

    /// <summary>Noon in China (UTC+8) on 2026-11-30.</summary>
    public static readonly DateTimeOffset ChinaNoon = new(2026, 11, 30, 4, 0, 0, TimeSpan.Zero);

    public static Action<IServiceCollection> On(FakeTimeProvider clock) => services => services.AddSingleton<TimeProvider>(clock);

    public static async Task<string> TokenOfAsync(this AppUnderTest app, string user) =>
        (await app.LoginOkAsync(user)).GetProperty("jwt").GetString()!;

    public static Task<HttpResponseMessage> BeatAsync(this AppUnderTest app, string? token, bool final = false) =>
        app.PostAsync("/api/play/heartbeat", final ? "{\"final\":true}" : "{}", token);

    /// <summary>A beat that must answer 200: (online_duration, online_days, credited_seconds).</summary>
    public static async Task<(long Duration, long Days, long Credited)> BeatOkAsync(this AppUnderTest app, string token, bool final = false)
    {
        var response = await app.BeatAsync(token, final);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["credited_seconds", "online_days", "online_duration"], json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        return (json.GetProperty("online_duration").GetInt64(), json.GetProperty("online_days").GetInt64(), json.GetProperty("credited_seconds").GetInt64());
    }

    public static Task<HttpResponseMessage> ShareAsync(this AppUnderTest app, string? token, string shareId, string? scene = null) =>
        app.PostAsync("/api/play/share", JsonSerializer.Serialize(scene is null ? new Dictionary<string, string> { ["share_id"] = shareId } : new() { ["share_id"] = shareId, ["scene"] = scene }), token);

    /// <summary>A share report that must answer 200: (share_times, counted).</summary>
    public static async Task<(long ShareTimes, bool Counted)> ShareOkAsync(this AppUnderTest app, string token, string shareId, string? scene = null)
    {
        var response = await app.ShareAsync(token, shareId, scene);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["counted", "share_times"], json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        return (json.GetProperty("share_times").GetInt64(), json.GetProperty("counted").GetBoolean());
    }
}
