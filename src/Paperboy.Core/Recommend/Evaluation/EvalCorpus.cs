using Paperboy.Core.Papers;
using Paperboy.Core.Search;

namespace Paperboy.Core.Recommend.Evaluation;

/// <summary>A paper as the evaluation sees it: its text, its authors (for choosing members only), its first announcement.</summary>
public sealed record CorpusPaper(int Index, string Id, string Title, string Abstract, IReadOnlyList<string> Authors,
    IReadOnlyList<string> Categories, DateOnly Announced)
{
    public string? PrimaryCategory => Categories.Count > 0 ? Categories[0] : null;
}

/// <summary>
/// The papers of a data directory announced before the end of the evaluation window, in id order, each with the day
/// it was first announced (its first listing day; the published date for papers never listed).
/// </summary>
public sealed class EvalCorpus
{
    private EvalCorpus(IReadOnlyList<CorpusPaper> papers) => Papers = papers;

    public IReadOnlyList<CorpusPaper> Papers { get; }

    /// <summary>The papers first announced in [from, until), in id order.</summary>
    public IReadOnlyList<CorpusPaper> AnnouncedIn(DateOnly from, DateOnly until) =>
        Papers.Where(p => p.Announced >= from && p.Announced < until).ToList();

    /// <summary>Reads the store's papers (by its change feed, the one scan every store offers) announced before <paramref name="until"/>.</summary>
    public static async Task<EvalCorpus> LoadAsync(IEmbeddingStore store, DateOnly until, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var found = new List<(PaperRecord Paper, DateOnly Day)>();
        ChangeCursor? cursor = null;
        while (true)
        {
            var page = await store.GetChangedPapersAsync(cursor, 5_000, ct);
            if (page.Count == 0)
                break;
            foreach (var c in page)
            {
                if (c.Paper.Status == PaperStatus.Deleted || (c.FirstListed ?? c.Paper.PublishedOn) is not { } day || day >= until)
                    continue;
                found.Add((c.Paper, day));
            }
            cursor = page[^1].Cursor;
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Paper.Id, b.Paper.Id));
        return FromPapers(found);
    }

    /// <summary>A corpus from papers and their announcement days (tests, benches).</summary>
    public static EvalCorpus FromPapers(IReadOnlyList<(PaperRecord Paper, DateOnly Day)> papers)
    {
        ArgumentNullException.ThrowIfNull(papers);
        return new EvalCorpus(papers.Select((p, i) => new CorpusPaper(i, p.Paper.Id, p.Paper.Title, p.Paper.Abstract, p.Paper.Authors,
            p.Paper.Categories, p.Day)).ToList());
    }
}

/// <summary>
/// A simulated member: an author (the exact name string) with their latest papers before the split as positives and
/// their papers in the window as the targets. Indices are into <see cref="EvalCorpus.Papers"/>.
/// </summary>
public sealed record SimulatedMember(int Number, string Author, IReadOnlyList<int> Positives, IReadOnlyList<int> Targets);

public static class SimulatedMembers
{
    public const int MinPositives = 5;
    public const int MaxPositives = 20;

    /// <summary>
    /// Every author with at least <see cref="MinPositives"/> papers first announced before <paramref name="split"/> and
    /// at least one in [split, until), in ordinal order of name.
    /// </summary>
    public static IReadOnlyList<SimulatedMember> Qualifying(EvalCorpus corpus, DateOnly split, DateOnly until)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var before = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var within = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var p in corpus.Papers)
        {
            var into = p.Announced < split ? before : p.Announced < until ? within : null;
            if (into is null)
                continue;
            foreach (var a in p.Authors.Distinct(StringComparer.Ordinal))
            {
                if (!into.TryGetValue(a, out var list))
                    into[a] = list = [];
                list.Add(p.Index);
            }
        }
        var members = new List<SimulatedMember>();
        foreach (var (author, targets) in within.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!before.TryGetValue(author, out var earlier) || earlier.Count < MinPositives)
                continue;
            // The latest first: by announcement day, then by id (arXiv numbers papers in submission order).
            var positives = earlier.OrderByDescending(i => corpus.Papers[i].Announced).ThenByDescending(i => i).Take(MaxPositives).ToList();
            members.Add(new SimulatedMember(members.Count, author, positives, targets));
        }
        return members;
    }

    /// <summary><paramref name="count"/> of the qualifying members, drawn by a seeded shuffle (the same seed, the same members), numbered 0..count-1.</summary>
    public static IReadOnlyList<SimulatedMember> Sample(IReadOnlyList<SimulatedMember> qualifying, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(qualifying);
        var order = qualifying.ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(count).Select((m, i) => m with { Number = i }).ToList();
    }
}
