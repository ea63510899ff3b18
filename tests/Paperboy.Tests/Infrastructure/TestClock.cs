namespace Paperboy.Tests.Infrastructure;

/// <summary>A clock a test sets and moves: the app reads "now" from it (submission age, trending, link expiry).</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
