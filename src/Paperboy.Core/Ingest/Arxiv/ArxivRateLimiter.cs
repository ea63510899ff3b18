namespace Paperboy.Core.Ingest.Arxiv;

/// <summary>
/// The one gate every arXiv request goes through, retries included: one request at a time, and each starts at
/// least the configured interval after the previous one started (and after it finished). A 503's Retry-After
/// pushes the next start further out. One instance per process.
/// </summary>
public sealed class ArxivRateLimiter(TimeSpan interval, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;

    public TimeSpan Interval => interval;

    /// <summary>Waits for the turn; dispose the result when the response has been read.</summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // A timer may fire a millisecond early (it counts whole milliseconds): wait again until the clock agrees.
            for (var wait = _notBefore - clock.GetUtcNow(); wait > TimeSpan.Zero; wait = _notBefore - clock.GetUtcNow())
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), clock, ct);
            _notBefore = clock.GetUtcNow() + interval;
            return new Turn(this);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    /// <summary>Called inside a turn when the server asked to wait (503 Retry-After) or after a failure.</summary>
    public void Defer(TimeSpan delay)
    {
        var until = clock.GetUtcNow() + delay;
        if (until > _notBefore)
            _notBefore = until;
    }

    private void Release()
    {
        // Never start sooner than one interval after this request ended.
        var after = clock.GetUtcNow() + interval;
        if (after > _notBefore)
            _notBefore = after;
        _gate.Release();
    }

    public void Dispose() => _gate.Dispose();

    private sealed class Turn(ArxivRateLimiter owner) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
                owner.Release();
        }
    }
}
