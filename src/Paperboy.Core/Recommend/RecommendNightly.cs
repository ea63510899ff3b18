using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Paperboy.Core.Jobs;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Recommend;

/// <summary>What a nightly pass did: members looked at, lists made, lists still current (skipped), and how long.</summary>
public sealed record NightlySummary(int Members, int Ranked, int UpToDate, TimeSpan Elapsed);

/// <summary>
/// The nightly pass: for every member with signals, trains their model and stores their top <see cref="TopN"/> of the
/// week's new papers with score and why, so digests and feeds read a stored list instead of training on a request.
/// One node at a time (the <c>recommend-nightly</c> lease). Each member's list is written in its own transaction and
/// remembers the window and the signals' change instant it saw: a second pass, or a rerun after kill -9, skips every
/// member whose list is still current and goes on with the rest.
/// </summary>
public sealed class RecommendNightly(ForYou forYou, IForYouStore store, IPaperReader papers, IJobLeases leases, TimeProvider clock, ILogger<RecommendNightly> log)
{
    public const string LeaseName = "recommend-nightly";
    public const int TopN = 50;
    private const int Batch = 500;

    /// <summary>Null when another node holds the lease. <paramref name="now"/> is recorded as the lists' time.</summary>
    public async Task<NightlySummary?> RunAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var lease = await JobLease.TryTakeAsync(leases, LeaseName, clock, ct: ct);
        if (lease is null)
        {
            Telemetry.PaperboyMetrics.JobRan(LeaseName, "skipped");
            return null;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, lease.Lost);
        try
        {
            var summary = await RunLeasedAsync(now, stop.Token);
            Telemetry.PaperboyMetrics.JobRan(LeaseName, "ok");
            return summary;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || (lease.Lost.IsCancellationRequested && !ct.IsCancellationRequested))
        {
            Telemetry.PaperboyMetrics.JobRan(LeaseName, "failed");
            throw;
        }
    }

    private async Task<NightlySummary> RunLeasedAsync(DateTimeOffset now, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var to = await papers.GetLatestListingDayAsync(ct) ?? DateOnly.FromDateTime(now.UtcDateTime);
        var (members, ranked, current) = (0, 0, 0);
        long after = 0;
        while (true)
        {
            var batch = await store.ListSignalMembersAsync(after, Batch, ct);
            if (batch.Count == 0)
                break;
            after = batch[^1].UserId;
            foreach (var (userId, changedAt) in batch)
            {
                members++;
                if (await store.GetStoredAsync(userId, ct) is { } stored && stored.To == to && stored.Days == ForYou.DefaultDays && stored.SignalsAt >= changedAt)
                {
                    current++;
                    continue;
                }
                var list = await forYou.RecommendAsync(userId, ForYou.DefaultDays, TopN, null, ct);
                await store.SaveStoredAsync(userId, new StoredForYou(list.To, ForYou.DefaultDays, now, changedAt, list.Candidates, list.Positives, list.Negatives,
                    [.. list.Items.Select(i => new StoredRecommendation(i.Paper.Id, i.Score, [.. i.Because.Select(b => (b.Paper.Id, b.Similarity))], i.SharedTerms))]), ct);
                // The stored list serves the member from now on: no need to keep their model in this process.
                forYou.Forget(userId);
                ranked++;
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        log.LogInformation("Nightly For you pass for the window ending {To}: {Members} members, {Ranked} lists made, {Current} still current, in {Seconds:F1} s",
            to.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), members, ranked, current, elapsed.TotalSeconds);
        return new NightlySummary(members, ranked, current, elapsed);
    }
}
