using Paperboy.Core.Papers;

namespace Paperboy.Core.Import;

/// <summary>Counts of what an import did, per record read.</summary>
public sealed class ImportCounts
{
    public long Added { get; set; }
    public long Updated { get; set; }
    public long Unchanged { get; set; }
    public long Rejected { get; set; }
    /// <summary>Listing days newly recorded for papers (a new paper's first day included).</summary>
    public long NewListings { get; set; }

    public long Read => Added + Updated + Unchanged + Rejected;

    public void Add(ImportCounts other)
    {
        Added += other.Added;
        Updated += other.Updated;
        Unchanged += other.Unchanged;
        Rejected += other.Rejected;
        NewListings += other.NewListings;
    }
}

/// <summary>Writes a batch of records in one transaction: all of it lands or none of it does.</summary>
public static class ImportBatchWriter
{
    public static async Task<ImportCounts> WriteAsync(IPaperStore store, IReadOnlyList<IncomingPaper> batch, CancellationToken ct)
    {
        var counts = new ImportCounts();
        if (batch.Count == 0)
            return counts;
        await using var unit = await store.BeginImportAsync(ct);
        var now = DateTimeOffset.UtcNow;
        // The batch may hold the same paper twice (a day's file repeats papers): keep the newest state here.
        var seen = new Dictionary<string, PaperRecord?>(StringComparer.Ordinal);
        foreach (var rec in batch)
        {
            if (!seen.TryGetValue(rec.Id, out var current))
                current = await unit.FindAsync(rec.Id, ct);

            PaperRecord stored;
            if (current is not null && await unit.HasSourceRecordAsync(rec.Id, rec.Hash, ct))
            {
                counts.Unchanged++;
                stored = current;
            }
            else
            {
                var result = PaperMerger.Merge(current, rec, now);
                switch (result.Kind)
                {
                    case MergeKind.Added: counts.Added++; break;
                    case MergeKind.Updated: counts.Updated++; break;
                    default: counts.Unchanged++; break;
                }
                stored = result.Paper;
                if (result.Kind != MergeKind.Unchanged)
                    await unit.SavePaperAsync(stored, result.Kind == MergeKind.Added, ct);
                if (result.Revision is not null)
                    await unit.AddRevisionAsync(rec.Id, result.Revision, ct);
                await unit.AddSourceRecordAsync(rec.Id, rec.Hash, rec.Source, ct);
            }

            if (rec.ListingDay is { } day && await unit.AddListingAsync(rec.Id, day, rec.ListingPosition, ct))
            {
                counts.NewListings++;
                // Days may be imported in any order: the first listing day is the first announcement.
                if (stored.PublishedOn is null || day < stored.PublishedOn)
                {
                    stored = stored with { PublishedOn = day };
                    await unit.SavePaperAsync(stored, isNew: false, ct);
                }
            }
            seen[rec.Id] = stored;
        }
        await unit.CommitAsync(ct);
        return counts;
    }
}
