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

    /// <summary>Listing files that repeated the previous announcement day (weekends), so made no day of their own.</summary>
    public long RepeatDays { get; set; }

    public long Read => Added + Updated + Unchanged + Rejected;

    public void Add(ImportCounts other)
    {
        Added += other.Added;
        Updated += other.Updated;
        Unchanged += other.Unchanged;
        Rejected += other.Rejected;
        NewListings += other.NewListings;
        RepeatDays += other.RepeatDays;
    }
}

/// <summary>Writes a batch of records in one transaction: all of it lands or none of it does.</summary>
public static class ImportBatchWriter
{
    public static async Task<ImportCounts> WriteAsync(IImportStore store, IReadOnlyList<IncomingPaper> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
            return new ImportCounts();
        await using var unit = await store.BeginImportAsync(ct);
        var counts = await ApplyAsync(unit, batch, ct);
        await unit.CommitAsync(ct);
        return counts;
    }

    /// <summary>Applies the records inside a unit the caller commits (with its own state, say a harvest cursor).</summary>
    public static async Task<ImportCounts> ApplyAsync(IImportUnit unit, IReadOnlyList<IncomingPaper> batch, CancellationToken ct)
    {
        var counts = new ImportCounts();
        var now = DateTimeOffset.UtcNow;
        await unit.PreloadAsync(batch, ct);
        // The batch may hold the same paper twice (a day's file repeats papers): keep the newest state here.
        var seen = new Dictionary<string, PaperRecord?>(StringComparer.Ordinal);
        async Task<PaperRecord?> CurrentAsync(string id) =>
            seen.TryGetValue(id, out var known) ? known : seen[id] = await unit.FindAsync(id, ct);

        foreach (var rec in batch)
        {
            // The common case on a re-import: this exact record was applied before. Nothing to read or merge.
            if (await unit.HasSourceRecordAsync(rec.Id, rec.Hash, ct))
            {
                counts.Unchanged++;
            }
            else
            {
                var current = await CurrentAsync(rec.Id);
                var result = PaperMerger.Merge(current, rec, now);
                switch (result.Kind)
                {
                    case MergeKind.Added: counts.Added++; break;
                    case MergeKind.Updated: counts.Updated++; break;
                    default: counts.Unchanged++; break;
                }
                if (result.Kind != MergeKind.Unchanged)
                    await unit.SavePaperAsync(result.Paper, result.Kind == MergeKind.Added, ct);
                if (result.Revision is not null)
                    await unit.AddRevisionAsync(rec.Id, result.Revision, ct);
                await unit.AddSourceRecordAsync(rec.Id, rec.Hash, rec.Source, ct);
                seen[rec.Id] = result.Paper;
            }

            if (rec.ListingDay is { } day && await unit.AddListingAsync(rec.Id, day, rec.ListingPosition, ct))
            {
                counts.NewListings++;
                // Days may be imported in any order: the first listing day is the first announcement.
                var stored = (await CurrentAsync(rec.Id))!;
                if (stored.PublishedOn is null || day < stored.PublishedOn)
                {
                    seen[rec.Id] = stored with { PublishedOn = day };
                    await unit.SavePaperAsync(seen[rec.Id]!, isNew: false, ct);
                }
            }
        }
        Telemetry.PaperboyMetrics.PapersIngested.Add(counts.Added + counts.Updated);
        return counts;
    }
}
