using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Hosting;

namespace Paperboy.Web.Submit;

/// <summary>
/// Submissions from the web run here, not in the request: arXiv is asked at most once every few seconds and may be
/// slow or away, and no page or API call should hang on it. A request waits up to <c>Web:SubmitWaitSeconds</c> for
/// the answer; past that it answers that the paper is being fetched, and the paper page shows it when it arrives (or
/// says why it did not). Two submissions of one id share one fetch. Outcomes are kept for a few minutes.
/// </summary>
public sealed class PendingSubmissions(PaperSubmitter submitter, IOptions<WebOptions> options, IHostApplicationLifetime lifetime, ILogger<PendingSubmissions> log)
{
    private static readonly TimeSpan KeepOutcome = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Lazy<Task<SubmitResult>>> _running = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>Moves when a fetch starts or ends: a cached "not found" page made before may be wrong now.</summary>
    public long Version => Volatile.Read(ref _version);

    public TimeSpan Wait => TimeSpan.FromSeconds(options.Value.SubmitWaitSeconds);

    /// <summary>The submission of <paramref name="id"/> (a canonical arXiv id), started now or already running.</summary>
    public Task<SubmitResult> Start(string id) =>
        _running.GetOrAdd(id, key =>
        {
            Interlocked.Increment(ref _version);
            return new Lazy<Task<SubmitResult>>(() => RunAsync(key));
        }).Value;

    /// <summary>The fetch of a paper that is not stored yet: running, failed (and why), or none.</summary>
    public Task<SubmitResult>? Find(string id) => _running.TryGetValue(id, out var pending) ? pending.Value : null;

    /// <summary>The outcome when it came within the wait; null while it is still on its way.</summary>
    public async Task<SubmitResult?> WaitBrieflyAsync(Task<SubmitResult> submission, CancellationToken ct)
    {
        await Task.WhenAny(submission, Task.Delay(Wait, ct));
        ct.ThrowIfCancellationRequested();
        return submission.IsCompleted ? await submission : null;
    }

    private async Task<SubmitResult> RunAsync(string id)
    {
        await Task.Yield(); // the caller's request goes on while arXiv is asked
        try
        {
            return (await submitter.SubmitAsync([id], lifetime.ApplicationStopping))[0];
        }
        catch (Exception ex) when (ex is ArxivUnavailableException or ArxivFormatException or ArxivQueryException)
        {
            log.LogWarning("Submission of {Id} failed: {Message}", id, ex.Message);
            throw;
        }
        finally
        {
            Interlocked.Increment(ref _version);
            _ = Task.Delay(KeepOutcome, lifetime.ApplicationStopping).ContinueWith(_ => _running.TryRemove(id, out var _), TaskScheduler.Default);
        }
    }
}
