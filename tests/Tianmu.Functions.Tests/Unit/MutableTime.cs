namespace Tianmu.Functions.Tests.Unit;

/// <summary>A clock tests can set; timers still run on real time.</summary>
public sealed class MutableTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
