using System.Text.Json;
using Paperboy.Core.Import;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Ingest.Arxiv;

/// <summary>
/// Reads the day's announcement feed for some categories: new papers, cross-lists and replacements, each listed on
/// the announcement day; a replacement brings its new version (and text, whose older form is kept).
/// </summary>
public sealed class AnnouncementIngester(ArxivClient client, IPaperStore store)
{
    public async Task<IngestSummary> IngestAsync(IReadOnlyList<string> categories, IIngestProgress progress, CancellationToken ct)
    {
        var summary = new IngestSummary { Requests = 1 };
        var feed = await client.AnnouncementsAsync(categories, ct);
        summary.Fetched = feed.Entries.Count;
        var batch = new List<IncomingPaper>();
        foreach (var entry in feed.Entries)
        {
            if (RecordLimits.Check(entry.Paper) is { } problem)
            {
                summary.Counts.Rejected++;
                summary.Problems.Add($"announcement feed: {entry.Paper.Id}: {problem}; skipped");
                progress.Problem(summary.Problems[^1]);
                continue;
            }
            batch.Add(entry.Paper);
        }
        summary.Counts.Add(await ImportBatchWriter.WriteAsync(store, batch, ct));
        var types = feed.Entries.GroupBy(e => e.AnnounceType ?? "unknown").Select(g => $"{g.Count():N0} {g.Key}");
        var day = feed.Entries.Select(e => e.Paper.ListingDay).Max();
        progress.Report(feed.Entries.Count == 0
            ? $"announcement feed {string.Join("+", categories)}: no announcements (arXiv announces on weekdays)"
            : $"announcement feed {string.Join("+", categories)} for {day:yyyy-MM-dd}: {string.Join(", ", types)}");
        await store.SetStateAsync("announcements:" + string.Join("+", categories),
            JsonSerializer.Serialize(new { day, entries = feed.Entries.Count, at = DateTimeOffset.UtcNow }), ct);
        return summary;
    }
}

/// <summary>Added: fetched from arXiv and stored; AlreadyStored: Paperboy had it (nothing changed, arXiv not asked).</summary>
public enum SubmitOutcome { Added, AlreadyStored, Unknown, Invalid }

public sealed record SubmitResult(string Input, string? Id, SubmitOutcome Outcome, string Message);

/// <summary>
/// Submit by arXiv id (the web form, the API and <c>paperboy add</c>): the paper is fetched from the query API if
/// Paperboy lacks it, and stored. A submission never touches the announcement listing: the days list what arXiv
/// announced on them, and a paper fetched by id is found by its page, search and similar papers.
/// </summary>
public sealed class PaperSubmitter(ArxivClient client, IPaperStore store)
{
    public async Task<IReadOnlyList<SubmitResult>> SubmitAsync(IReadOnlyList<string> inputs, CancellationToken ct)
    {
        var results = new List<SubmitResult>();
        var wanted = new List<(string Input, string Id)>();
        foreach (var input in inputs)
        {
            if (ArxivId.TryParse(input, out var id, out _))
                wanted.Add((input, id));
            else
                results.Add(new SubmitResult(input, null, SubmitOutcome.Invalid, $"'{TextNormalizer.Clip(input)}' is not an arXiv id such as 2503.11731 or hep-th/9901001"));
        }

        var missing = new List<(string Input, string Id)>();
        foreach (var w in wanted.DistinctBy(w => w.Id))
        {
            if (await store.GetPaperAsync(w.Id, ct) is not null)
                results.Add(new SubmitResult(w.Input, w.Id, SubmitOutcome.AlreadyStored, $"{w.Id} is here already"));
            else
            {
                missing.Add(w);
            }
        }

        foreach (var chunk in missing.Chunk(ArxivClient.MaxIdsPerQuery))
        {
            var feed = await client.GetByIdsAsync(chunk.Select(c => c.Id).ToList(), ct);
            var found = feed.Entries.Select(e => e.Paper).ToDictionary(p => p.Id, StringComparer.Ordinal);
            var batch = new List<IncomingPaper>();
            foreach (var (input, id) in chunk)
            {
                if (!found.TryGetValue(id, out var paper))
                {
                    results.Add(new SubmitResult(input, id, SubmitOutcome.Unknown, $"arXiv has no paper {id}"));
                    continue;
                }
                if (RecordLimits.Check(paper) is { } problem)
                {
                    results.Add(new SubmitResult(input, id, SubmitOutcome.Invalid, $"{id}: arXiv's record cannot be stored: {problem}"));
                    continue;
                }
                batch.Add(paper with { ListingDay = null });
                results.Add(new SubmitResult(input, id, SubmitOutcome.Added, $"{id} added"));
            }
            await ImportBatchWriter.WriteAsync(store, batch, ct);
        }
        return results;
    }

}
