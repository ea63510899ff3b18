using Paperboy.Core.Papers;
using Paperboy.Core.Recommend.Text;
using Paperboy.Core.Search;

namespace Paperboy.Core.Recommend;

/// <summary>
/// The keyword statistics recommendations are ranked in: term document frequencies over the papers first announced in
/// the <see cref="Months"/> months up to the newest listing day, not over the week's candidates alone. A term shared by
/// a saved paper and one new paper is the best evidence there is, and in a week's pool it occurs once and would be
/// dropped (min df 2) or weighed wrongly; measured with `eval recommend`, statistics of the pool alone lose a quarter
/// of nDCG@10. Fitted by one scan of the store; made again in the background when a new listing day arrives (the old
/// statistics serve meanwhile).
/// </summary>
public sealed class KeywordStatistics(IEmbeddingStore store)
{
    public const int Months = 36;

    private readonly Lock _gate = new();
    private (DateOnly Through, KeywordSpace Space)? _ready;
    private Task? _pending;

    public KeywordSettings Settings { get; } = RecommenderSettings.Default.Keywords;

    /// <summary>The statistics through <paramref name="through"/> (the newest listing day); the first call waits for the first fit.</summary>
    public async Task<KeywordSpace> GetAsync(DateOnly through, CancellationToken ct)
    {
        Task pending;
        lock (_gate)
        {
            if (_ready is { } ready)
            {
                if (ready.Through != through && _pending is null)
                    _pending = RefitAsync(through);
                return ready.Space;
            }
            _pending ??= RefitAsync(through);
            pending = _pending;
        }
        await pending.WaitAsync(ct);
        lock (_gate)
            return _ready?.Space ?? throw new InvalidOperationException("The keyword statistics could not be made (see the log); the next request tries again.");
    }

    private async Task RefitAsync(DateOnly through)
    {
        await Task.Yield();
        try
        {
            var space = await FitAsync(through, CancellationToken.None);
            lock (_gate)
                _ready = (through, space);
        }
        finally
        {
            lock (_gate)
                _pending = null; // after a failure the next call tries again; older statistics keep serving meanwhile
        }
    }

    private async Task<KeywordSpace> FitAsync(DateOnly through, CancellationToken ct)
    {
        var since = through.AddMonths(-Months);
        var builder = new KeywordSpace.Builder(Settings);
        ChangeCursor? cursor = null;
        while (true)
        {
            var page = await store.GetChangedPapersAsync(cursor, 5_000, ct);
            if (page.Count == 0)
                break;
            var kept = page
                .Select(c => (c.Paper, Day: c.FirstListed ?? c.Paper.PublishedOn))
                .Where(c => c.Paper.Status != PaperStatus.Deleted && c.Day is { } day && day > since && day <= through)
                .ToList();
            // The reference sample (hubness) leaves out the days For you draws from.
            var recent = through.AddDays(-ForYou.MaxDays);
            builder.Add([.. kept.Select(c => RecommendPaper.TextOf(c.Paper.Title, c.Paper.Abstract))], i => kept[i].Day <= recent);
            cursor = page[^1].Cursor;
        }
        return builder.Build();
    }
}
