using Paperboy.Core.Ingest;
using Paperboy.Core.Ingest.Arxiv;

namespace Paperboy.Hosting;

/// <summary>
/// Runs the daily ingestion job in <c>serve</c> a little after arXiv's announcement time, and at start-up when the
/// last successful run is more than a day old. Off with <c>Arxiv:Schedule:Enabled=false</c> (say, on all but one
/// node). A failed run is tried again after <see cref="RetryAfterFailure"/>.
/// </summary>
public sealed class IngestScheduler(DailyIngestJob job, ArxivOptions options, TimeProvider clock, ILogger<IngestScheduler> log) : BackgroundService
{
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(30);

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
                var last = await job.GetLastRunAsync(stoppingToken);
                var next = job.NextDue(last);
                if (last?.LastError is not null && last.LastFinished is { } failedAt && failedAt + RetryAfterFailure > next)
                    next = failedAt + RetryAfterFailure;
                await job.SetNextRunAsync(next, stoppingToken);
                var wait = next - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    log.LogInformation("Next arXiv ingestion at {Next:u}", next);
                    await Task.Delay(wait, clock, stoppingToken);
                }
                var summary = await job.RunAsync(new LogProgress(log), stoppingToken);
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
