using Microsoft.Extensions.Options;
using Paperboy.Core.Community;
using Paperboy.Hosting;
using Paperboy.Web.Papers;

namespace Paperboy.Web.Community;

/// <summary>
/// Trending for the pages and the API: the activity (votes and comments with their times) is read once per change of
/// the store's stamp; the scores are worked out per request, since they move with the clock.
/// </summary>
public sealed class TrendingReads(ITrendingStore store, CachedReads reads, IOptions<CommunityOptions> options, TimeProvider clock)
{
    // One immutable snapshot behind a reference: concurrent requests read and replace it whole, never half of it.
    private sealed record Snapshot(long Stamp, DateOnly Since, IReadOnlyList<PaperActivity> Activity);

    private Snapshot? _last;

    public static bool TryWindow(string? period, out (int Days, string Words) window)
    {
        window = period switch
        {
            null or "" or "day" => (1, "today"),
            "week" => (7, "this week"),
            "month" => (30, "this month"),
            _ => (0, ""),
        };
        return window.Days > 0;
    }

    public async Task<IReadOnlyList<TrendingEntry>> RankAsync((int Days, string Words) window, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var since = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-(window.Days - 1));
        var activity = await ActivityAsync(DateOnly.FromDateTime(now.UtcDateTime).AddDays(-30), ct);
        var o = options.Value;
        return Trending.Rank(activity.Where(a => a.Paper.DailyDay >= since), now, TimeSpan.FromHours(o.TrendingHalfLifeHours), o.TrendingCommentWeight, window.Words);
    }

    /// <summary>The trending line of one paper (its rank among the papers featured on the same day), or null.</summary>
    public async Task<TrendingEntry?> ExplainAsync(string paperId, CancellationToken ct)
    {
        var activity = await ActivityAsync(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-30), ct);
        var paper = activity.FirstOrDefault(a => a.Paper.Id == paperId);
        if (paper is null)
            return null;
        var o = options.Value;
        var sameDay = activity.Where(a => a.Paper.DailyDay == paper.Paper.DailyDay);
        var words = "on the Daily of " + Display.Day(paper.Paper.DailyDay!.Value);
        return Trending.Rank(sameDay, clock.GetUtcNow(), TimeSpan.FromHours(o.TrendingHalfLifeHours), o.TrendingCommentWeight, words)
            .First(e => e.Paper.Id == paperId);
    }

    private async Task<IReadOnlyList<PaperActivity>> ActivityAsync(DateOnly since, CancellationToken ct)
    {
        var stamp = await reads.StampAsync(ct);
        if (Volatile.Read(ref _last) is { } last && last.Stamp == stamp && last.Since == since)
            return last.Activity;
        var activity = await store.GetActivityAsync(since, ct);
        Volatile.Write(ref _last, new Snapshot(stamp, since, activity));
        return activity;
    }
}
