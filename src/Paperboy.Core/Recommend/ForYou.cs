using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Collections.Concurrent;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Recommend;

/// <summary>One recommendation as pages, the API, feeds and digests show it: the paper, its score and why.</summary>
public sealed record ForYouItem(PaperRecord Paper, double Score, IReadOnlyList<(PaperRecord Paper, double Similarity)> Because, IReadOnlyList<string> SharedTerms);

/// <summary>A member's list: the items, the window, and how many signals it learned from.</summary>
public sealed record ForYouList(IReadOnlyList<ForYouItem> Items, DateOnly From, DateOnly To, int Candidates, int Positives, int Negatives)
{
    /// <summary>
    /// Set while the member has no positives but picked categories: the items are then those categories' new papers,
    /// most upvoted first, then newest, not a ranking learned from them.
    /// </summary>
    public IReadOnlyList<string> FallbackCategories { get; init; } = [];
}

/// <summary>
/// "For you": the papers first announced in the last N days, ranked for a member by a model of their signals (saved,
/// tagged, collected and upvoted papers; "not interested"). The candidate pool is built once per window and data
/// change and shared by every member; a member's model is cached until their signals change (the newest signal and
/// the count are its key), so a repeat costs one ranking pass.
/// </summary>
public sealed class ForYou(IPaperReader papers, ILibraryStore library, IForYouStore picks, KeywordStatistics statistics)
{
    /// <summary>The newest signals a model learns from: a member's recent interests, and a bounded training cost.</summary>
    public const int MaxPositives = 200;
    public const int MaxNegatives = 200;

    /// <summary>The window feeds, digests and the nightly pass use: the last week's new papers.</summary>
    public const int DefaultDays = 7;

    /// <summary>The widest window a list may cover (days=1..MaxDays).</summary>
    public const int MaxDays = 31;

    private readonly ConcurrentDictionary<(DateOnly To, int Days), (long Stamp, DateTimeOffset Made, Task<(CandidatePool Pool, Dictionary<string, PaperRecord> Papers)> Pool)> _pools = new();
    private readonly ConcurrentDictionary<long, (string Key, MemberModel Model, Dictionary<string, PaperRecord> Signals)> _models = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, (string Key, MemberModel Model, Dictionary<string, PaperRecord> Signals)>> _tagModels = new(StringComparer.Ordinal);

    public async Task<ForYouList> RecommendAsync(long userId, int days, int limit, string? category, CancellationToken ct)
    {
        var signals = await library.GetSignalsAsync(userId, ct);
        var positive = signals.Where(s => s.Positive).OrderByDescending(s => s.At).Take(MaxPositives).Select(s => s.PaperId).ToList();
        var list = await RankAsync(_models, userId, signals, positive, [], days, limit, category, ct);
        if (list.Positives > 0 || await picks.GetCategoriesAsync(userId, ct) is not { Count: > 0 } chosen)
            return list;
        // Cold start: nothing to learn from yet, but categories picked.
        var seen = signals.Select(s => s.PaperId).ToHashSet(StringComparer.Ordinal);
        var popular = await PopularAsync(category is null ? chosen : [.. chosen.Where(c => c == category)], days, limit, seen, ct);
        return list with { Items = [.. popular.Select(p => new ForYouItem(p, 0, [], []))], FallbackCategories = chosen };
    }

    /// <summary>
    /// The window's new papers in any of the categories, most upvoted first, then newest: the cold-start picks and the
    /// list until a member has positives.
    /// </summary>
    public async Task<IReadOnlyList<PaperRecord>> PopularAsync(IReadOnlyList<string> categories, int days, int limit, IReadOnlySet<string>? exclude, CancellationToken ct)
    {
        days = Math.Clamp(days, 1, MaxDays);
        var to = await papers.GetLatestListingDayAsync(ct) ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var from = to.AddDays(1 - days);
        var (_, candidates) = await PoolAsync(to, days, ct);
        return [.. candidates.Values
            .Where(p => p.PublishedOn >= from && p.Categories.Any(c => categories.Contains(c, StringComparer.Ordinal)) && exclude?.Contains(p.Id) != true)
            .OrderByDescending(p => p.TotalUpvotes).ThenByDescending(p => p.PublishedOn).ThenByDescending(p => p.Id, StringComparer.Ordinal)
            .Take(Math.Clamp(limit, 1, 200))];
    }

    /// <summary>
    /// The member's week list for feeds and digests: the one the nightly pass stored while it is current (the same
    /// window, no signal changed since), else ranked now.
    /// </summary>
    public async Task<ForYouList> CurrentAsync(long userId, int limit, CancellationToken ct)
    {
        var to = await papers.GetLatestListingDayAsync(ct);
        if (await picks.GetStoredAsync(userId, ct) is { Items.Count: > 0 } stored && stored.To == to && stored.Days == DefaultDays
            && await picks.GetSignalsChangedAtAsync(userId, ct) is { } changed && stored.SignalsAt >= changed)
        {
            var items = stored.Items.Take(limit).ToList();
            var known = (await papers.GetPapersAsync([.. items.SelectMany(i => i.Because.Select(b => b.PaperId).Append(i.PaperId)).Distinct(StringComparer.Ordinal)], ct))
                .ToDictionary(p => p.Id, StringComparer.Ordinal);
            return new ForYouList(
                [.. items.Where(i => known.ContainsKey(i.PaperId)).Select(i => new ForYouItem(known[i.PaperId], i.Score,
                    [.. i.Because.Where(b => known.ContainsKey(b.PaperId)).Select(b => (known[b.PaperId], b.Similarity))], i.SharedTerms))],
                stored.To.AddDays(1 - stored.Days), stored.To, stored.Candidates, stored.Positives, stored.Negatives);
        }
        return await RecommendAsync(userId, DefaultDays, limit, null, ct);
    }

    /// <summary>
    /// "Papers like my tag X": the window's new papers ranked by a model of that tag's papers only (the member's
    /// "not interested" still the negatives); null when no saved paper carries the tag.
    /// </summary>
    public async Task<ForYouList?> RecommendForTagAsync(long userId, string tag, int days, int limit, CancellationToken ct)
    {
        var tagged = await library.GetSavedAsync(userId, tag, 0, MaxPositives, ct);
        if (tagged.Items.Count == 0)
            return null;
        var signals = await library.GetSignalsAsync(userId, ct);
        var models = _tagModels.GetOrAdd(LibraryTags.Key(tag), _ => new());
        return await RankAsync(models, userId, signals, [.. tagged.Items.Select(i => i.Paper.Id)], [.. tagged.Items.Select(i => i.Paper)], days, limit, null, ct);
    }

    private async Task<ForYouList> RankAsync(
        ConcurrentDictionary<long, (string Key, MemberModel Model, Dictionary<string, PaperRecord> Signals)> models, long userId,
        IReadOnlyList<LibrarySignal> signals, List<string> positive, IReadOnlyList<PaperRecord> knownPositives, int days, int limit, string? category, CancellationToken ct)
    {
        days = Math.Clamp(days, 1, MaxDays);
        limit = Math.Clamp(limit, 1, 200);
        var to = await papers.GetLatestListingDayAsync(ct) ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var from = to.AddDays(1 - days);
        var (pool, candidates) = await PoolAsync(to, days, ct);
        var key = $"{signals.Count}|{(signals.Count == 0 ? 0 : signals.Max(s => s.At.UtcTicks))}|{pool.GetHashCode()}|{string.Join(',', positive)}";
        if (!models.TryGetValue(userId, out var cached) || cached.Key != key)
        {
            var negative = signals.Where(s => !s.Positive).OrderByDescending(s => s.At).Take(MaxNegatives).Select(s => s.PaperId).ToList();
            var known = knownPositives.ToDictionary(p => p.Id, StringComparer.Ordinal);
            foreach (var p in await papers.GetPapersAsync([.. positive.Concat(negative).Where(id => !known.ContainsKey(id))], ct))
                known[p.Id] = p;
            RecommendPaper[] Of(IEnumerable<string> ids) => [.. ids.Where(known.ContainsKey).Select(id => AsRecommendPaper(known[id]))];
            var model = MemberModel.Train(new MemberSignals(Of(positive), Of(negative)), pool.Keywords, pool.Settings);
            cached = (key, model, known);
            models[userId] = cached;
        }
        var seen = signals.Select(s => s.PaperId).ToHashSet(StringComparer.Ordinal);
        // The category is left out with the rest, before the top is taken: only the papers shown are explained.
        var ranked = cached.Model.Recommend(pool, limit,
            p => seen.Contains(p.Id) || candidates[p.Id].PublishedOn < from || (category is not null && !p.Categories.Contains(category, StringComparer.Ordinal)));
        var items = ranked.Select(r => new ForYouItem(
            candidates[r.Paper.Id], r.Score,
            [.. r.Nearest.Where(n => cached.Signals.ContainsKey(n.Id)).Select(n => (cached.Signals[n.Id], n.TextCosine))],
            r.SharedTerms)).ToList();
        return new ForYouList(items, from, to, candidates.Values.Count(p => p.PublishedOn >= from), cached.Model.Positives, signals.Count(s => !s.Positive));
    }

    /// <summary>Drops a member's cached model (their signals changed on this node; other nodes see the new key).</summary>
    public void Forget(long userId)
    {
        _models.TryRemove(userId, out _);
        foreach (var tag in _tagModels.Values)
            tag.TryRemove(userId, out _);
    }

    /// <summary>
    /// A pool holding at least the last <paramref name="days"/> days: the default week's, or the widest window's for
    /// more (callers leave out the older candidates), so whatever days are asked for, at most two pools are kept and
    /// built. New papers come with new listing days (part of the key); within a day a pool is made again when the
    /// data changed and it is over ten minutes old (every vote moves the change stamp: not per vote). A pool is
    /// shared, so its build does not end with the request that started it.
    /// </summary>
    private async Task<(CandidatePool Pool, Dictionary<string, PaperRecord> Papers)> PoolAsync(DateOnly to, int days, CancellationToken ct)
    {
        var span = days <= DefaultDays ? DefaultDays : MaxDays;
        var from = to.AddDays(1 - span);
        var stamp = await papers.GetChangeStampAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var entry = _pools.AddOrUpdate((to, span),
            _ => (stamp, now, BuildPoolAsync(from, to, CancellationToken.None)),
            (_, old) => old.Stamp == stamp || !old.Pool.IsCompleted || now - old.Made < TimeSpan.FromMinutes(10) ? old : (stamp, now, BuildPoolAsync(from, to, CancellationToken.None)));
        foreach (var stale in _pools.Keys.Where(k => k.To != to))
            _pools.TryRemove(stale, out _);
        return await entry.Pool.WaitAsync(ct);
    }

    private async Task<(CandidatePool, Dictionary<string, PaperRecord>)> BuildPoolAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        var page = await papers.GetListingAsync(new ListingQuery(new ListingPeriod(from, to, "days"), null, ListingSort.Published, 0, 20_000), ct);
        // New papers only: first announced in the window (the listing also holds cross-lists and replacements).
        var fresh = page.Items.Select(i => i.Paper).Where(p => p.PublishedOn is { } d && d >= from).DistinctBy(p => p.Id).ToList();
        var keywords = await statistics.GetAsync(to, ct);
        var pool = await Task.Run(() => CandidatePool.Build([.. fresh.Select(AsRecommendPaper)], keywords), ct);
        return (pool, fresh.ToDictionary(p => p.Id, StringComparer.Ordinal));
    }

    private static RecommendPaper AsRecommendPaper(PaperRecord p) => new(p.Id, p.Title, p.Abstract, p.Categories, []);
}

/// <summary>Registration of what ranks For you lists (pages, feeds, digests and the nightly pass all share one).</summary>
public static class ForYouRegistration
{
    public static IServiceCollection AddForYouRanking(this IServiceCollection services)
    {
        services.TryAddSingleton<KeywordStatistics>();
        services.TryAddSingleton<ForYou>();
        return services;
    }
}
