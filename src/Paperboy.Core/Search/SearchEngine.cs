using System.Text.Json;
using Microsoft.Extensions.Logging;
using Paperboy.Core.Papers;
using Paperboy.Core.Search.Embeddings;
using Paperboy.Core.Search.FullText;
using Paperboy.Core.Search.Fusion;
using Paperboy.Core.Search.Vectors;

namespace Paperboy.Core.Search;

public sealed record SearchRequest(
    string Query,
    SearchMode Mode = SearchMode.Hybrid,
    string? Category = null,
    DateOnly? From = null,
    DateOnly? To = null,
    SearchSort Sort = SearchSort.Relevance,
    int Offset = 0,
    int Limit = 20);

public sealed record SearchHit(PaperRecord Paper, double Score, IReadOnlyList<ListContribution> Explain);

/// <param name="Total">How many hits can be paged through: the fused list, at most the lists' depth each.</param>
/// <param name="WordMatches">How many papers (filters applied) contain the words; null when no keyword list ran.</param>
public sealed record SearchResponse(
    IReadOnlyList<SearchHit> Hits,
    int Total,
    SearchMode Mode,
    bool DirectHit,
    string? Notice,
    int? WordMatches = null);

/// <summary>The bad query, said plainly (shown to the user as a 400).</summary>
public sealed class SearchQueryException(string message) : Exception(message);

/// <summary>
/// Search over the derived indexes: BM25 (Lucene) and semantic (MiniLM vectors), fused by reciprocal rank. The
/// database is the truth; <see cref="CatchUpAsync"/> brings both indexes up to it and is what `paperboy index` and
/// serve's background indexer run. If the model cannot load, keyword search goes on and <see cref="SemanticStatus"/>
/// says why semantic search is off.
/// </summary>

/// <summary>
/// Search over the derived indexes: BM25 (Lucene) and semantic (MiniLM vectors), fused by reciprocal rank, and similar
/// papers. <see cref="Indexes"/> holds what it reads; <see cref="Upkeep"/> keeps them up to the database.
/// </summary>
public sealed class SearchEngine : IDisposable
{
    public const int MaxQueryLength = 2_000;

    private readonly IPaperReader _store;
    private readonly SearchOptions _options;
    private readonly ReciprocalRankFusion _fusion;

    // Identical queries are common (a shared link, a trending topic): embedding one costs ~10 ms of a core, a lookup
    // here well under a microsecond. Keyed by model and query text; vectors are never mutated by their readers.
    private readonly LruCache<string, float[]> _queryVectors;

    public SearchEngine(IPaperStore store, SearchOptions options, string dataDirectory, ILogger<SearchEngine> log, ITextEmbedder? embedder = null)
    {
        _store = store;
        _options = options;
        Indexes = new SearchIndexes(options, dataDirectory, log, embedder);
        Upkeep = new SearchIndexUpkeep(store, Indexes, options);
        _queryVectors = new LruCache<string, float[]>(options.QueryCacheSize, StringComparer.Ordinal);
        _fusion = new ReciprocalRankFusion(options.FusionK, new Dictionary<string, double> { ["keyword"] = options.KeywordWeight, ["semantic"] = options.SemanticWeight });
    }

    public SearchIndexes Indexes { get; }

    public SearchIndexUpkeep Upkeep { get; }

    // What pages, the API and status show about the indexes.
    public FullTextIndex FullText => Indexes.FullText;
    public long Version => Indexes.Version;
    public string? SemanticStatus => Indexes.SemanticStatus;
    public bool SemanticReady => Indexes.SemanticReady;
    public (int Embedded, int Papers)? SemanticCoverage => Indexes.SemanticCoverage;
    public ITextEmbedder? Embedder => Indexes.Embedder;
    public string? LoadedModel => Indexes.LoadedModel;

    /// <summary>The query's vector, from the cache when the same text was asked recently.</summary>
    private float[] QueryVector(ITextEmbedder embedder, string query, CancellationToken ct)
    {
        var key = embedder.ModelId + "\n" + query;
        if (_queryVectors.TryGet(key, out var vector))
            return vector;
        vector = embedder.EmbedQuery(query, ct);
        _queryVectors.Set(key, vector);
        return vector;
    }

    public async Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct)
    {
        using var activity = Telemetry.PaperboyMetrics.Tracing.StartActivity("search");
        activity?.SetTag("search.mode", request.Mode.ToString());
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var response = await SearchUntimedAsync(request, ct);
        Telemetry.PaperboyMetrics.SearchDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("mode", response.Mode.ToString().ToLowerInvariant()));
        return response;
    }

    private async Task<SearchResponse> SearchUntimedAsync(SearchRequest request, CancellationToken ct)
    {
        var q = request.Query.Trim();
        if (q.Length == 0)
            throw new SearchQueryException("Type something to search for.");
        if (q.Length > MaxQueryLength)
            throw new SearchQueryException($"The query is {q.Length:N0} characters long; the limit is {MaxQueryLength:N0}.");
        if (!q.Any(char.IsLetterOrDigit))
            throw new SearchQueryException("The query has no letters or digits, so there is nothing to search for.");

        // A pasted arXiv id (or abs link) goes straight to that paper.
        if (ArxivId.TryParse(q, out var id, out _) && await _store.GetPaperAsync(id, ct) is { } direct)
            return new SearchResponse([new SearchHit(direct.Paper, 1, [])], 1, request.Mode, true, null);

        var mode = request.Mode;
        string? notice = null;
        // One index for the whole search: a rebuild may swap or drop _semantic meanwhile.
        var semanticIndex = SemanticReady ? Indexes.Semantic : null;
        if (mode != SearchMode.Keyword && semanticIndex is null)
        {
            notice = SemanticStatus ?? "semantic search is not ready yet";
            mode = SearchMode.Keyword;
        }
        var filtered = request.Category is not null || request.From is not null || request.To is not null;
        var lists = new Dictionary<string, IReadOnlyList<(string Id, float Score)>>();
        int? wordMatches = null;
        // The semantic list (embedding the query, then the vector search) is made on another core while BM25 searches.
        var semanticDepth = filtered ? _options.Depth * 4 : _options.Depth;
        var semanticHits = mode != SearchMode.Keyword
            ? Task.Run(() => semanticIndex!.Search(QueryVector(Indexes.Embedder!, q, ct), semanticDepth, null), ct)
            : null;
        if (mode != SearchMode.Semantic)
        {
            var filter = filtered ? new FullTextFilter(request.Category is null ? null : [request.Category], request.From, request.To) : null;
            var keyword = FullText.Search(q, _options.Depth, filter);
            lists["keyword"] = keyword.Hits.Select(h => (h.Id, h.Score)).ToList();
            wordMatches = keyword.TotalHits;
        }
        Dictionary<string, PaperRecord>? papers = null;
        if (mode != SearchMode.Keyword)
        {
            var semantic = await semanticHits!;
            if (filtered)
            {
                papers = (await _store.GetPapersAsync(semantic.Select(s => s.Id).ToList(), ct)).ToDictionary(p => p.Id, StringComparer.Ordinal);
                semantic = semantic.Where(s => papers.TryGetValue(s.Id, out var p) && Passes(p, request)).Take(_options.Depth).ToList();
            }
            lists["semantic"] = semantic;
        }

        var fused = _fusion.Fuse(lists);
        var directHit = false;
        if (request.Sort == SearchSort.Relevance && lists.TryGetValue("keyword", out var kw) && kw.Count > 0)
        {
            // An exact title goes first, whatever the fusion says.
            var top = await _store.GetPapersAsync([kw[0].Id], ct);
            if (top.Count == 1 && string.Equals(Normalize(top[0].Title), Normalize(q), StringComparison.Ordinal))
            {
                directHit = true;
                fused = [.. fused.Where(f => f.Id == top[0].Id), .. fused.Where(f => f.Id != top[0].Id)];
            }
        }

        IReadOnlyList<FusedHit> ordered = fused;
        if (request.Sort == SearchSort.Date)
        {
            var all = (await _store.GetPapersAsync(fused.Select(f => f.Id).ToList(), ct)).ToDictionary(p => p.Id, StringComparer.Ordinal);
            ordered = fused.Where(f => all.ContainsKey(f.Id)).OrderByDescending(f => all[f.Id].PublishedOn).ThenByDescending(f => f.Score).ToList();
            papers = all;
        }
        var page = ordered.Skip(request.Offset).Take(request.Limit).ToList();
        var missing = page.Where(h => papers is null || !papers.ContainsKey(h.Id)).Select(h => h.Id).ToList();
        var loaded = (await _store.GetPapersAsync(missing, ct)).ToDictionary(p => p.Id, StringComparer.Ordinal);
        var hits = page.Select(h => (h, p: papers?.GetValueOrDefault(h.Id) ?? loaded.GetValueOrDefault(h.Id)))
            .Where(x => x.p is not null)
            .Select(x => new SearchHit(x.p!, x.h.Score, x.h.Explain))
            .ToList();
        return new SearchResponse(hits, ordered.Count, mode, directHit, notice, wordMatches);
    }

    /// <summary>The papers nearest in meaning (or, without the model, sharing the most words with its title).</summary>
    public async Task<IReadOnlyList<SearchHit>> SimilarAsync(string id, int limit, CancellationToken ct)
    {
        List<(string Id, float Score)> near;
        var semanticIndex = SemanticReady ? Indexes.Semantic : null;
        if (semanticIndex?.VectorOf(id) is { } vector)
        {
            near = semanticIndex.Search(vector, limit + 1, other => other != id).Take(limit).ToList();
        }
        else if (await _store.GetPaperAsync(id, ct) is { } paper)
        {
            near = FullText.Search(paper.Paper.Title + " " + paper.Paper.Abstract, limit + 1).Hits.Where(h => h.Id != id).Take(limit).Select(h => (h.Id, h.Score)).ToList();
        }
        else
        {
            return [];
        }
        var byId = (await _store.GetPapersAsync(near.Select(n => n.Id).ToList(), ct)).ToDictionary(p => p.Id, StringComparer.Ordinal);
        return near.Where(n => byId.ContainsKey(n.Id)).Select(n => new SearchHit(byId[n.Id], n.Score, [])).ToList();
    }

    private static bool Passes(PaperRecord p, SearchRequest r) =>
        (r.Category is null || p.Categories.Contains(r.Category))
        && (r.From is null || (p.PublishedOn is { } d1 && d1 >= r.From))
        && (r.To is null || (p.PublishedOn is { } d2 && d2 <= r.To));

    private static string Normalize(string s) => TextNormalizer.Collapse(s).TrimEnd('.').ToLowerInvariant();

    public void Dispose()
    {
        Upkeep.Dispose();
        Indexes.Dispose();
    }
}
