namespace Tianmu.Functions.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Placeholder() => Assert.True(true);
}
