namespace Tianmu.Functions.Tests.Login;

/// <summary><c>channelCode</c> in <c>POST /api/login</c> (docs/API.md): an alias of <c>from_code</c>, which wins.</summary>
public sealed class ChannelCodeTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task ChannelCode_is_stored_as_from_code()
    {
        await using var app = await StartAppAsync();

        var profile = await app.LoginOkAsync("channelled", "\"channelCode\":\"spring-ad-7\"");

        Assert.Equal("spring-ad-7", profile.GetProperty("from_code").GetString());
    }

    [Fact]
    public async Task From_code_wins_over_channelCode_when_both_are_given()
    {
        await using var app = await StartAppAsync();

        var profile = await app.LoginOkAsync("both-codes", "\"channelCode\":\"alias\",\"from_code\":\"primary\"");

        Assert.Equal("primary", profile.GetProperty("from_code").GetString());
    }

    [Theory]
    [InlineData("\"channelCode\":7")]
    [InlineData("\"channelCode\":\"ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\"")]
    public async Task A_channelCode_that_is_not_a_string_or_too_long_is_invalid_request_and_creates_nothing(string extra)
    {
        await using var app = await StartAppAsync();

        await ProblemAssert.IsProblemAsync(await app.LoginAsync("bad-channel", extra), 400, "invalid_request");
        Assert.Equal(string.Empty, await app.DumpAsync());
    }
}
