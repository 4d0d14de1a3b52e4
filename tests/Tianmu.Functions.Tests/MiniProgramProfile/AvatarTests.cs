using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tianmu.Functions.MiniProgramProfile;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests.MiniProgramProfile;

/// <summary><c>POST /api/profile/avatar</c> and the <c>wxa_media_check</c> rule (docs/API.md, "POST /api/profile/avatar").</summary>
public sealed class AvatarTests(AppFixture fixture) : AppTest(fixture)
{
    private Task<ProfileApp> StartAsync() => ProfileApp.StartAsync(overrides => StartAppAsync(overrides), Fixture);

    [Fact]
    public async Task Upload_stores_the_image_publicly_under_a_random_name_and_submits_the_check_with_the_new_url()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("ann");
        var image = ProfileApp.Jpeg();

        var profile = await ProfileApp.OkAsync(await app.UploadAvatarAsync(image, "image/jpeg", token));

        var url = profile.GetProperty("avatar_url").GetString()!;
        var name = Assert.Single(await app.BlobNamesAsync());
        Assert.Matches("^[0-9a-f]{32}\\.jpg$", name);
        Assert.Equal(app.Container.Uri.AbsoluteUri + "/" + name, url);
        Assert.DoesNotContain(WeChatStandIn.OpenIdOf("ann"), url, StringComparison.Ordinal);
        using var anonymous = new HttpClient();
        using var served = await anonymous.GetAsync(new Uri(url));
        Assert.Equal(image, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/jpeg", served.Content.Headers.ContentType?.MediaType);

        var check = Assert.Single(app.WeChat.MediaChecks);
        Assert.Equal(url, check.GetProperty("media_url").GetString());
        Assert.Equal(2, check.GetProperty("media_type").GetInt32());
        Assert.Equal(2, check.GetProperty("version").GetInt32());
        Assert.Equal(1, check.GetProperty("scene").GetInt32());
        Assert.Equal(WeChatStandIn.OpenIdOf("ann"), check.GetProperty("openid").GetString());
        var row = await app.RowAsync("ann");
        Assert.Equal(url, row!.AvatarUrl);
        Assert.Equal(name, row.AvatarBlobName);
        Assert.StartsWith("trace-", row.AvatarCheckTraceId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_upload_gets_a_new_name_and_deletes_the_previous_image()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("ben");
        var first = (await ProfileApp.OkAsync(await app.UploadAvatarAsync(ProfileApp.Jpeg(), "image/jpeg", token))).GetProperty("avatar_url").GetString();

        var second = (await ProfileApp.OkAsync(await app.UploadAvatarAsync(ProfileApp.Png(), "image/png", token))).GetProperty("avatar_url").GetString()!;

        Assert.NotEqual(first, second);
        var name = Assert.Single(await app.BlobNamesAsync());
        Assert.EndsWith(name, second, StringComparison.Ordinal);
        Assert.EndsWith(".png", name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image/webp")]
    [InlineData("image/gif")]
    [InlineData("application/octet-stream")]
    [InlineData("application/json")]
    [InlineData(null)]
    public async Task Content_type_other_than_jpeg_or_png_is_415(string? contentType)
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("cat");
        var before = await app.App.DumpAsync();

        await ProblemAssert.IsProblemAsync(await app.UploadAvatarAsync(ProfileApp.Jpeg(), contentType, token), 415, "unsupported_media_type");

        Assert.Equal(before, await app.App.DumpAsync());
        Assert.Empty(await app.BlobNamesAsync());
    }

    [Fact]
    public async Task Image_over_1_MiB_is_413_from_content_length_and_413_while_reading()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("dan");
        var tooLarge = ProfileApp.Jpeg().Concat(new byte[AvatarImage.MaxBytes]).ToArray();

        // Declared: refused before the token is even looked at.
        await ProblemAssert.IsProblemAsync(await app.UploadAvatarAsync(tooLarge, "image/jpeg", null), 413, "payload_too_large");

        // Chunked, no Content-Length: refused while reading.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/profile/avatar") { Content = new StreamContent(new MemoryStream(tooLarge)) };
        request.Content.Headers.ContentType = new("image/jpeg");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = new("Bearer", token);
        await ProblemAssert.IsProblemAsync(await app.App.SendAsync(request), 413, "payload_too_large");

        // Exactly 1 MiB is taken.
        var exactly = tooLarge[..AvatarImage.MaxBytes];
        await ProfileApp.OkAsync(await app.UploadAvatarAsync(exactly, "image/jpeg", token));
        Assert.Single(await app.BlobNamesAsync());
    }

    [Theory]
    [InlineData("image/png", "jpeg")]
    [InlineData("image/jpeg", "png")]
    [InlineData("image/jpeg", "text")]
    [InlineData("image/png", "empty")]
    public async Task Bytes_that_are_not_the_declared_format_are_422_content_rejected(string contentType, string bytes)
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("eve");
        var before = await app.App.DumpAsync();
        var body = bytes switch
        {
            "jpeg" => ProfileApp.Jpeg(),
            "png" => ProfileApp.Png(),
            "text" => Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            _ => [],
        };

        await ProblemAssert.IsProblemAsync(await app.UploadAvatarAsync(body, contentType, token), 422, "content_rejected");

        Assert.Equal(before, await app.App.DumpAsync());
        Assert.Empty(await app.BlobNamesAsync());
        Assert.Empty(app.WeChat.MediaChecks);
    }

    [Fact]
    public async Task Without_a_token_is_401_after_size_and_media_type()
    {
        await using var app = await StartAsync();

        await ProblemAssert.IsProblemAsync(await app.UploadAvatarAsync(ProfileApp.Jpeg(), "image/jpeg", null), 401, "invalid_token");
        await ProblemAssert.IsProblemAsync(await app.UploadAvatarAsync(ProfileApp.Jpeg(), "image/webp", null), 415, "unsupported_media_type");
        Assert.Empty(await app.BlobNamesAsync());
    }

    [Theory]
    [InlineData(-1, 503, "upstream_unavailable")]
    [InlineData(61010, 409, "session_expired")]
    [InlineData(40003, 502, "upstream_error")]
    public async Task Media_check_failure_stores_nothing_and_keeps_the_previous_avatar(int errcode, int status, string code)
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("fay");
        await ProfileApp.OkAsync(await app.UploadAvatarAsync(ProfileApp.Jpeg(), "image/jpeg", token));
        var blobs = await app.BlobNamesAsync();
        var before = await app.App.DumpAsync();
        app.WeChat.MediaErrorCode = errcode;

        await ProblemAssert.IsProblemAsync(await app.UploadAvatarAsync(ProfileApp.Jpeg(), "image/jpeg", token), status, code);

        Assert.Equal(before, await app.App.DumpAsync());
        Assert.Equal(blobs, await app.BlobNamesAsync());
    }

    [Fact]
    public async Task Avatar_storage_unreachable_is_503_and_nothing_is_stored()
    {
        var port = Azurite.FreePort();
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Azurite.AccountKey};TableEndpoint=http://127.0.0.1:{Fixture.Azurite.Port}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var appId = "wxp" + Guid.NewGuid().ToString("N")[..16];
        var app = await StartAppAsync(new Dictionary<string, string?> { [$"Tianmu:Apps:{appId}:Secret"] = ProfileApp.Secret }, storageConnectionString: connection);
        var token = (await app.LoginOkAsync("gus", appId: appId)).GetProperty("jwt").GetString()!;
        var before = await app.DumpAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/profile/avatar") { Content = new ByteArrayContent(ProfileApp.Jpeg()) };
        request.Content.Headers.ContentType = new("image/jpeg");
        request.Headers.Authorization = new("Bearer", token);

        await ProblemAssert.IsProblemAsync(await app.SendAsync(request), 503, "upstream_unavailable");

        Assert.Equal(before, await app.DumpAsync());
        Assert.Empty(app.WeChat.ServerApi(appId).MediaChecks);
    }

    [Fact]
    public async Task Risky_result_of_the_pending_check_clears_the_avatar_and_deletes_the_image()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("hal");
        await ProfileApp.OkAsync(await app.UploadAvatarAsync(ProfileApp.Jpeg(), "image/jpeg", token));
        var row = (await app.RowAsync("hal"))!;
        var avatars = app.App.Host.Services.GetRequiredService<AvatarService>();

        Assert.True(await avatars.ApplyMediaCheckResultAsync(app.AppId, row.OpenId, row.AvatarCheckTraceId, "risky", CancellationToken.None));

        var after = (await app.RowAsync("hal"))!;
        Assert.Equal(string.Empty, after.AvatarUrl);
        Assert.Equal(string.Empty, after.AvatarBlobName);
        Assert.Equal(string.Empty, after.AvatarCheckTraceId);
        Assert.Empty(await app.BlobNamesAsync());
    }

    [Fact]
    public async Task Risky_result_of_a_superseded_upload_changes_nothing()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("ivy");
        await ProfileApp.OkAsync(await app.UploadAvatarAsync(ProfileApp.Jpeg(), "image/jpeg", token));
        var oldTrace = (await app.RowAsync("ivy"))!.AvatarCheckTraceId;
        await ProfileApp.OkAsync(await app.UploadAvatarAsync(ProfileApp.Jpeg(), "image/jpeg", token));
        var before = await app.App.DumpAsync();
        var blobs = await app.BlobNamesAsync();
        var avatars = app.App.Host.Services.GetRequiredService<AvatarService>();

        Assert.False(await avatars.ApplyMediaCheckResultAsync(app.AppId, WeChatStandIn.OpenIdOf("ivy"), oldTrace, "risky", CancellationToken.None));

        Assert.Equal(before, await app.App.DumpAsync());
        Assert.Equal(blobs, await app.BlobNamesAsync());
    }

    [Fact]
    public async Task Pass_result_ends_the_pending_check_and_keeps_the_avatar()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("jay");
        var url = (await ProfileApp.OkAsync(await app.UploadAvatarAsync(ProfileApp.Png(), "image/png", token))).GetProperty("avatar_url").GetString();
        var trace = (await app.RowAsync("jay"))!.AvatarCheckTraceId;
        var avatars = app.App.Host.Services.GetRequiredService<AvatarService>();

        Assert.False(await avatars.ApplyMediaCheckResultAsync(app.AppId, WeChatStandIn.OpenIdOf("jay"), trace, "pass", CancellationToken.None));
        // A later risky verdict for the same, already concluded trace changes nothing.
        Assert.False(await avatars.ApplyMediaCheckResultAsync(app.AppId, WeChatStandIn.OpenIdOf("jay"), trace, "risky", CancellationToken.None));

        var row = (await app.RowAsync("jay"))!;
        Assert.Equal(url, row.AvatarUrl);
        Assert.Equal(string.Empty, row.AvatarCheckTraceId);
        Assert.Single(await app.BlobNamesAsync());
    }

    [Fact]
    public async Task Push_handler_reads_the_wxa_media_check_message_as_WeChat_names_its_members()
    {
        await using var app = await StartAsync();
        var token = await app.LoginAsync("kim");
        await ProfileApp.OkAsync(await app.UploadAvatarAsync(ProfileApp.Jpeg(), "image/jpeg", token));
        var trace = (await app.RowAsync("kim"))!.AvatarCheckTraceId;
        var handler = app.App.Host.Services.GetRequiredService<MediaCheckPushHandler>();
        var message = JsonDocument.Parse($$"""
            {"ToUserName":"gh_97417a04a28d","FromUserName":"{{WeChatStandIn.OpenIdOf("kim")}}","CreateTime":1712345679,"MsgType":"event",
             "Event":"wxa_media_check","appid":"{{app.AppId}}","trace_id":"{{trace}}","version":2,
             "detail":[{"strategy":"content_model","errcode":0,"suggest":"risky","label":20002,"prob":90}],
             "errcode":0,"errmsg":"ok","result":{"suggest":"risky","label":20002} }
            """).RootElement;

        Assert.False(await handler.HandleAsync(app.AppId, JsonDocument.Parse("{\"trace_id\":5}").RootElement, CancellationToken.None));
        Assert.True(await handler.HandleAsync(app.AppId, message, CancellationToken.None));

        Assert.Equal(string.Empty, (await app.RowAsync("kim"))!.AvatarUrl);
        Assert.Empty(await app.BlobNamesAsync());
    }

    [Fact]
    public async Task Unknown_user_or_illegal_ids_in_a_result_change_nothing()
    {
        await using var app = await StartAsync();
        var avatars = app.App.Host.Services.GetRequiredService<AvatarService>();

        Assert.False(await avatars.ApplyMediaCheckResultAsync(app.AppId, "onobody", "trace-1", "risky", CancellationToken.None));
        Assert.False(await avatars.ApplyMediaCheckResultAsync(app.AppId, "../x", "trace-1", "risky", CancellationToken.None));
        Assert.Equal(string.Empty, await app.App.DumpAsync());
    }

}
