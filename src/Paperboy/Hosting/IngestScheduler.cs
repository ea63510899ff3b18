using Paperboy.Core.Ingest;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Core.Jobs;

namespace Paperboy.Hosting;

/// <summary>
/// Runs the daily ingestion job in <c>serve</c> a little after arXiv's announcement time, and at start-up when the
/// last successful run is more than a day old. Every node runs this scheduler; the one that takes the
/// <c>ingest-daily</c> lease runs the job, the others find it done (or keep asking while it runs, and take over
/// within a minute when its node dies). <c>Arxiv:Schedule:Enabled=false</c> switches it off on a node. A failed run
/// is tried again after <see cref="RetryAfterFailure"/>.
/// </summary>
public sealed class IngestScheduler(DailyIngestJob job, IJobLeases leases, ArxivOptions options, TimeProvider clock, ILogger<IngestScheduler> log) : BackgroundService
{
    public const string LeaseName = "ingest-daily";
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(30);

    /// <summary>How often a node that did not get the lease asks again while the job is due.</summary>
    public static readonly TimeSpan LeasePoll = TimeSpan.FromSeconds(15);

    private async Task<DateTimeOffset> NextAsync(CancellationToken ct)
    {
        var last = await job.GetLastRunAsync(ct);
        var next = job.NextDue(last);
        if (last?.LastError is not null && last.LastFinished is { } failedAt && failedAt + RetryAfterFailure > next)
            next = failedAt + RetryAfterFailure;
        return next;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Schedule.Enabled)
        {
            log.LogInformation("Scheduled ingestion is off (Arxiv:Schedule:Enabled=false)");
            return;
        }
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var next = await NextAsync(stoppingToken);
                await job.SetNextRunAsync(next, stoppingToken);
                var wait = next - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    log.LogInformation("Next arXiv ingestion at {Next:u}", next);
                    await Task.Delay(wait, clock, stoppingToken);
                }
                await using var lease = await JobLease.TryTakeAsync(leases, LeaseName, clock, ct: stoppingToken);
                if (lease is null)
                {
                    // Another node runs it now; once it has, the next due time moves to tomorrow.
                    await Task.Delay(LeasePoll, clock, stoppingToken);
                    continue;
                }
                // The lease holder may have finished just before we took it over: look again.
                if (await NextAsync(stoppingToken) > clock.GetUtcNow())
                    continue;
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
                var summary = await job.RunAsync(new LogProgress(log), stop.Token);
                log.LogInformation("arXiv ingestion done: {Summary}", summary);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is ArxivUnavailableException or System.Data.Common.DbException or InvalidOperationException)
            {
                // One line per failed run (an unreachable arXiv fails at its first request, not after retries). Recorded as the job's last error; the loop schedules the retry.
                log.LogWarning("arXiv ingestion failed: {Message}. Trying again in {Minutes} minutes; Arxiv:Schedule:Enabled=false switches it off", ex.Message, RetryAfterFailure.TotalMinutes);
                await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken);
            }
        }
    }

    private sealed class LogProgress(ILogger log) : IIngestProgress
    {
        public void Report(string line) => log.LogInformation("{Line}", line);

        public void Problem(string message) => log.LogWarning("{Problem}", message);
    }
}
