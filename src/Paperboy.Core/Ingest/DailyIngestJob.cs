using System.Text.Json;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Ingest;

/// <summary>The record of the daily job, for <c>paperboy status</c> and the admin status.</summary>
public sealed record JobRun(
    DateTimeOffset? LastStarted,
    DateTimeOffset? LastFinished,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? NextRun,
    long Fetched,
    long Added,
    long Updated,
    long Rejected,
    string? LastError);

/// <summary>
/// What runs every day: the announcement feeds of the configured categories (true listing days), then an OAI-PMH
/// harvest of the configured set from where the last one stopped (DOIs, journal refs, versions, deletions).
/// The scheduler in <c>serve</c> and the CLI verbs call this same code.
/// </summary>
public sealed class DailyIngestJob(AnnouncementIngester announcements, OaiHarvester harvester, IJobState store, ArxivOptions options, TimeProvider clock)
{
    public const string StateKey = "job:daily";

    /// <summary>
    /// The next run's time is kept apart from the run record: every node writes it while it waits, and a node that
    /// rewrote the whole record from a stale read would erase the lease holder's success, and the job would run twice.
    /// </summary>
    private const string NextRunKey = "job:daily:next";

    public async Task<JobRun?> GetLastRunAsync(CancellationToken ct)
    {
        var run = await store.GetStateAsync(StateKey, ct) is { } json ? JsonSerializer.Deserialize<JobRun>(json) : null;
        if (await store.GetStateAsync(NextRunKey, ct) is { } next
            && DateTimeOffset.TryParse(next, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at))
            run = (run ?? Empty) with { NextRun = at };
        return run;
    }

    public async Task<IngestSummary> RunAsync(IIngestProgress progress, CancellationToken ct)
    {
        var previous = await GetLastRunAsync(ct);
        var started = clock.GetUtcNow();
        await SaveAsync((previous ?? Empty) with { LastStarted = started }, ct);
        var summary = new IngestSummary();
        string? error = null;
        try
        {
            var schedule = options.Schedule;
            if (schedule.CategoryList.Count > 0)
                summary.Add(await announcements.IngestAsync(schedule.CategoryList, progress, ct));
            if (!string.IsNullOrWhiteSpace(schedule.OaiSet))
                summary.Add(await harvester.HarvestAsync(schedule.OaiSet, null, null, "arXivRaw", progress, ct));
        }
        catch (Exception ex) when (ex is ArxivUnavailableException or ArxivFormatException or OaiPmhException or ArxivQueryException)
        {
            error = ex.Message; // recorded, then thrown: the caller says it once
        }
        var finished = clock.GetUtcNow();
        await SaveAsync(new JobRun(started, finished, error is null ? finished : previous?.LastSuccess, previous?.NextRun,
            summary.Fetched, summary.Counts.Added, summary.Counts.Updated, summary.Counts.Rejected, error), ct);
        Telemetry.PaperboyMetrics.JobRan("ingest-daily", error is null ? "ok" : "failed");
        if (error is not null)
            throw new ArxivUnavailableException(error);
        return summary;
    }

    public Task SetNextRunAsync(DateTimeOffset next, CancellationToken ct) =>
        store.SetStateAsync(NextRunKey, next.ToString("O", System.Globalization.CultureInfo.InvariantCulture), ct);

    /// <summary>The next time the job is due: at once when the last success is more than a day old (catch-up),
    /// else the next announcement time after the last start.</summary>
    public DateTimeOffset NextDue(JobRun? last)
    {
        var now = clock.GetUtcNow();
        if (last?.LastSuccess is not { } success || now - success > TimeSpan.FromDays(1))
            return now;
        var after = last.LastStarted ?? success;
        var candidate = new DateTimeOffset(DateOnly.FromDateTime(after.UtcDateTime).ToDateTime(options.Schedule.AnnouncementTimeUtc), TimeSpan.Zero);
        return candidate > after ? candidate : candidate.AddDays(1);
    }

    private static readonly JobRun Empty = new(null, null, null, null, 0, 0, 0, 0, null);

    private Task SaveAsync(JobRun run, CancellationToken ct) => store.SetStateAsync(StateKey, JsonSerializer.Serialize(run), ct);
}
