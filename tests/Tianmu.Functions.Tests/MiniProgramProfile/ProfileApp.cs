using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.MiniProgramProfile;

/// <summary>
/// An app with an app id of its own (so the stand-in's server API counts and scripts only this test's calls) and an
/// avatars container of its own, created with public read of single blobs as the deployment provisions it.
/// </summary>
public sealed class ProfileApp(AppUnderTest app, string appId, BlobContainerClient container) : IAsyncDisposable
{
    public const string Secret = "profile-app-secret-93f0c1";

    public AppUnderTest App { get; } = app;

    public string AppId { get; } = appId;

    public BlobContainerClient Container { get; } = container;

    public WeChatServerApi WeChat => App.WeChat.ServerApi(AppId);

    public static async Task<ProfileApp> StartAsync(Func<IDictionary<string, string?>, Task<AppUnderTest>> start, AppFixture fixture)
    {
        var appId = "wxp" + Guid.NewGuid().ToString("N")[..16];
        var containerName = "av" + Guid.NewGuid().ToString("N");
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, containerName);
        await container.CreateAsync(PublicAccessType.Blob);
        var app = await start(new Dictionary<string, string?>
        {
            [$"Tianmu:Apps:{appId}:Secret"] = Secret,
            ["Tianmu:Avatars:ContainerName"] = containerName,
        });
        return new ProfileApp(app, appId, container);
    }

    /// <summary>Logs the user in to this app and answers the token.</summary>
    public async Task<string> LoginAsync(string user)
    {
        var profile = await App.LoginOkAsync(user, appId: AppId);
        return profile.GetProperty("jwt").GetString()!;
    }

    public Task<HttpResponseMessage> UpdateProfileAsync(string json, string? token) => App.PostAsync("/api/profile", json, token);

    public async Task<HttpResponseMessage> UploadAvatarAsync(byte[] image, string? contentType, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/profile/avatar") { Content = new ByteArrayContent(image) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return await App.SendAsync(request);
    }

    public static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"expected 200, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    public Task<Tianmu.Functions.Profiles.ProfileEntity?> RowAsync(string user) => App.RowAsync(user, AppId);

    public async Task<List<string>> BlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in Container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    public async ValueTask DisposeAsync()
    {
        await Container.DeleteIfExistsAsync();
    }

    /// <summary>A small JPEG-signed body (the service checks the signature only; WeChat judges the picture).</summary>
    public static byte[] Jpeg(string marker = "") => [0xFF, 0xD8, 0xFF, 0xE0, .. System.Text.Encoding.ASCII.GetBytes("JFIF" + marker + Guid.NewGuid().ToString("N"))];

    public static byte[] Png() => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. System.Text.Encoding.ASCII.GetBytes("IHDR" + Guid.NewGuid().ToString("N"))];

    public static Task<JsonElement> JsonOf(HttpResponseMessage response) => response.Content.ReadFromJsonAsync<JsonElement>();
}
