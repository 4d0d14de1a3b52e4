using System.Text;
using Microsoft.AspNetCore.Http;
using Tianmu.Functions.Http;
using Tianmu.Functions.Login;
using Tianmu.Functions.UserInfo;

namespace Tianmu.Functions.Tests.Http;

public sealed class JsonBodyTests
{
    private static HttpRequest Request(string body, string? contentType = "application/json", long? contentLength = -1)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentType = contentType;
        context.Request.ContentLength = contentLength == -1 ? bytes.Length : contentLength;
        return context.Request;
    }

    private static async Task<ApiErrorCode> FailureOf(HttpRequest request)
    {
        var exception = await Assert.ThrowsAsync<ApiException>(() => JsonBody.ReadAsync(request, LoginJson.Default.LoginRequest, CancellationToken.None));
        return exception.Code;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON;charset=gbk")]
    [InlineData("application/merge-patch+json")]
    [InlineData("application/problem+json")]
    public void Json_media_types_and_a_missing_one_are_accepted(string? contentType)
    {
        Assert.True(JsonBody.IsJsonMediaType(contentType));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/jsonp")]
    [InlineData("json")]
    [InlineData("application/xml")]
    public void Other_media_types_are_refused(string contentType)
    {
        Assert.False(JsonBody.IsJsonMediaType(contentType));
    }

    [Fact]
    public async Task A_valid_body_is_read_with_null_as_absent_and_unknown_members_ignored()
    {
        var request = await JsonBody.ReadAsync(Request("{\"app_id\":\"wx1\",\"code\":\"c\",\"scene\":null,\"extra\":{\"deep\":[1,2]}}"), LoginJson.Default.LoginRequest, CancellationToken.None);

        Assert.Equal("wx1", request.AppId);
        Assert.Null(request.Scene);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{")]
    [InlineData("{\"app_id\":1}")]
    [InlineData("{\"app_id\":\"a\",\"app_id\":\"b\"}")]
    [InlineData("{\"code\":[\"x\"]}")]
    [InlineData("{\"scene\":1.5}")]
    [InlineData("{\"scene\":-1}")]
    [InlineData("{\"scene\":100000}")]
    [InlineData("{\"scene\":\"123456\"}")]
    [InlineData("{\"scene\":\"12a\"}")]
    [InlineData("{\"scene\":true}")]
    [InlineData("{\"app_id\":\"a\"} trailing")]
    public async Task Bodies_that_are_not_the_expected_JSON_object_are_invalid_requests(string body)
    {
        Assert.Equal(ApiErrorCode.InvalidRequest, await FailureOf(Request(body)));
    }

    [Theory]
    [InlineData("1044", "1044")]
    [InlineData("\"1044\"", "1044")]
    [InlineData("\"01044\"", "1044")]
    [InlineData("0", "0")]
    [InlineData("99999", "99999")]
    [InlineData("\"\"", "")]
    public async Task Scene_is_stored_as_its_decimal_string(string scene, string expected)
    {
        var request = await JsonBody.ReadAsync(Request($"{{\"scene\":{scene}}}"), LoginJson.Default.LoginRequest, CancellationToken.None);

        Assert.Equal(expected, request.Scene);
    }

    [Fact]
    public async Task Deep_nesting_is_an_invalid_request()
    {
        var body = "{\"x\":" + new string('[', 1000) + new string(']', 1000) + "}";

        Assert.Equal(ApiErrorCode.InvalidRequest, await FailureOf(Request(body)));
    }

    [Fact]
    public async Task Invalid_utf8_is_an_invalid_request()
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream([.. "{\"code\":\""u8, 0xC3, 0x28, .. "\"}"u8]);

        Assert.Equal(ApiErrorCode.InvalidRequest, await FailureOf(context.Request));
    }

    [Fact]
    public async Task A_declared_length_over_64_KiB_is_refused_before_reading()
    {
        var request = Request("{}", contentLength: JsonBody.MaxBytes + 1);

        Assert.Equal(ApiErrorCode.PayloadTooLarge, await FailureOf(request));
        Assert.Equal(0, request.Body.Position);
    }

    [Fact]
    public async Task A_body_over_64_KiB_without_a_declared_length_is_refused_while_reading()
    {
        var body = "{\"code\":\"" + new string('a', JsonBody.MaxBytes) + "\"}";

        Assert.Equal(ApiErrorCode.PayloadTooLarge, await FailureOf(Request(body, contentLength: null)));
    }

    [Fact]
    public async Task A_body_of_exactly_64_KiB_is_read()
    {
        var prefix = "{\"app_id\":\"wx1\",\"from_code\":\"";
        var body = prefix + new string('a', JsonBody.MaxBytes - prefix.Length - 2) + "\"}";
        Assert.Equal(JsonBody.MaxBytes, Encoding.UTF8.GetByteCount(body));

        var request = await JsonBody.ReadAsync(Request(body, contentLength: null), LoginJson.Default.LoginRequest, CancellationToken.None);

        Assert.Equal("wx1", request.AppId);
    }

    [Fact]
    public async Task A_wrong_media_type_is_415()
    {
        Assert.Equal(ApiErrorCode.UnsupportedMediaType, await FailureOf(Request("{}", "text/plain")));
    }

    [Fact]
    public async Task The_size_check_comes_before_the_media_type_check()
    {
        Assert.Equal(ApiErrorCode.PayloadTooLarge, await FailureOf(Request("{}", "text/plain", JsonBody.MaxBytes + 1)));
    }

    [Fact]
    public async Task UpdateUserInfo_bodies_use_WeChat_names_case_sensitively()
    {
        var request = await JsonBody.ReadAsync(Request("{\"encryptedData\":\"QUJD\",\"IV\":\"x\",\"iv\":\"QUJD\"}"), UpdateUserInfoJson.Default.UpdateUserInfoRequest, CancellationToken.None);

        Assert.Equal("QUJD", request.EncryptedData);
        Assert.Equal("QUJD", request.Iv);
        Assert.Equal(nameof(UpdateUserInfoRequest), request.ToString());
    }

    [Fact]
    public async Task A_leading_byte_order_mark_is_ignored()
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream([0xEF, 0xBB, 0xBF, .. "{\"app_id\":\"wx1\"}"u8]);

        var request = await JsonBody.ReadAsync(context.Request, LoginJson.Default.LoginRequest, CancellationToken.None);

        Assert.Equal("wx1", request.AppId);
    }

    [Theory]
    [InlineData("123")]
    [InlineData("true")]
    [InlineData("{\"a\":[1,2]}")]
    [InlineData("[\"oUser\"]")]
    public async Task An_inviter_that_is_not_a_string_reads_as_absent(string inviter)
    {
        var request = await JsonBody.ReadAsync(Request($"{{\"app_id\":\"wx1\",\"inviter\":{inviter},\"code\":\"c\"}}"), LoginJson.Default.LoginRequest, CancellationToken.None);

        Assert.Null(request.Inviter);
        Assert.Equal("c", request.Code);
    }
}
