namespace Tianmu.WeChat.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Placeholder() => Assert.True(true);
}
