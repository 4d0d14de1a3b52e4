namespace Tianmu.LocalHost.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Placeholder() => Assert.True(true);
}
