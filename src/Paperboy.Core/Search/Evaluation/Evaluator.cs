using System.Diagnostics;
using Paperboy.Core.Import;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Search.Evaluation;

public sealed record EvaluationResult(SearchMode Mode, int Queries, double NdcgAt10, double RecallAt100, TimeSpan SearchTime, int Embedded);

/// <summary>
/// Scores the product's own search path on a relevance benchmark: the corpus goes into a throwaway store (its own
/// data directory, so its embeddings are reused by the next run), is indexed by <see cref="SearchEngine"/> exactly as
/// papers are, and every judged query is run through <see cref="SearchEngine.SearchAsync"/>.
/// </summary>
public static class Evaluator
{
    public static async Task<EvaluationResult> RunAsync(BenchmarkData data, IPaperStore store, SearchEngine engine, SearchMode mode, Action<string>? progress, CancellationToken ct)
    {
        // Benchmark ids become stable local ids; the map turns hits back into benchmark ids.
        var toBenchmark = new Dictionary<string, string>(StringComparer.Ordinal);
        var batch = new List<IncomingPaper>();
        foreach (var d in data.Corpus)
        {
            var id = ArxivId.LocalFor("benchmark:" + d.Id);
            toBenchmark[id] = d.Id;
            var title = TextNormalizer.Collapse(d.Title);
            batch.Add(new IncomingPaper
            {
                Id = id,
                Title = title.Length > 0 ? title : "(untitled)",
                Authors = [],
                Abstract = TextNormalizer.Collapse(d.Text),
                ListingDay = new DateOnly(2000, 1, 1),
                Source = "benchmark",
            });
        }
        foreach (var chunk in batch.Chunk(2_000))
            await ImportBatchWriter.WriteAsync(store, chunk, ct);
        var caught = await engine.Upkeep.CatchUpAsync(progress, ct, maxEmbed: mode == SearchMode.Keyword ? 0 : int.MaxValue);

        var ndcg = 0.0;
        var recall = 0.0;
        var sw = Stopwatch.StartNew();
        foreach (var q in data.JudgedQueries)
        {
            var result = await engine.SearchAsync(new SearchRequest(q.Text, mode, Limit: 100), ct);
            if (result.Mode != mode)
                throw new InvalidOperationException($"{mode} search is not available: {result.Notice}");
            var ranked = result.Hits.Select(h => toBenchmark[h.Paper.Id]).ToList();
            ndcg += RetrievalMetrics.NdcgAt(10, ranked, data.Qrels[q.Id]);
            recall += RetrievalMetrics.RecallAt(100, ranked, data.Qrels[q.Id]);
        }
        var n = data.JudgedQueries.Count;
        return new EvaluationResult(mode, n, ndcg / n, recall / n, sw.Elapsed, caught.Embedded);
    }
}
