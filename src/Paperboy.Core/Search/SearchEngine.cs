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
public sealed class SearchEngine : IDisposable
{
    public const int MaxQueryLength = 2_000;

    private readonly IPaperStore _store;
    private readonly SearchOptions _options;
    private readonly ILogger _log;
    private readonly string _indexDirectory;
    private readonly string _modelDirectory;
    private readonly SemaphoreSlim _catchUp = new(1, 1);
    private readonly object _embedderLock = new();
    private readonly Lazy<FullTextIndex> _fullText;
    private readonly ReciprocalRankFusion _fusion;
    private ITextEmbedder? _embedder;
    private SemanticIndex? _semantic;
    private bool _embedderTried;
    private long _version;

    // Identical queries are common (a shared link, a trending topic): embedding one costs ~10 ms of a core, a lookup
    // here well under a microsecond. Keyed by model and query text; vectors are never mutated by their readers.
    private readonly LruCache<string, float[]> _queryVectors;

    // A pass over the papers missing an embedding runs by id (the cursor), each paper read once; it is needed again
    // only when papers changed (the change feed said so) or the model did: serve polls every few seconds, and a
    // scan of a large store is not free (67,802 papers: 0.2 s).
    private string? _embedCursor;
    private bool _embedPassDone;
    private bool _changedDuringPass;

    // Papers the change feed reported (id, text hash) whose vector this node may not hold yet: another node may have
    // embedded them first, and then this node's pass does not see them as missing.
    private readonly Dictionary<string, string> _awaitingVectors = new(StringComparer.Ordinal);

    public SearchEngine(IPaperStore store, SearchOptions options, string dataDirectory, ILogger<SearchEngine> log, ITextEmbedder? embedder = null)
    {
        _store = store;
        _options = options;
        _log = log;
        _indexDirectory = Path.Combine(dataDirectory, "index");
        _modelDirectory = Path.Combine(dataDirectory, "models", MiniLmEmbedder.ModelName);
        _fullText = new Lazy<FullTextIndex>(() => new FullTextIndex(Path.Combine(_indexDirectory, "fulltext")));
        _queryVectors = new LruCache<string, float[]>(options.QueryCacheSize, StringComparer.Ordinal);
        _fusion = new ReciprocalRankFusion(options.FusionK, new Dictionary<string, double> { ["keyword"] = options.KeywordWeight, ["semantic"] = options.SemanticWeight });
        if (embedder is not null)
        {
            _embedder = embedder;
            _embedderTried = true;
        }
        SemanticStatus = options.Semantic ? "it is starting up" : "it is switched off: Search:Semantic=false";
    }

    public FullTextIndex FullText => _fullText.Value;

    /// <summary>
    /// Moves whenever what a search can answer changes (papers indexed, vectors added, a graph swapped): a cached
    /// answer made at another version may be stale.
    /// </summary>
    public long Version => Volatile.Read(ref _version);

    private void Changed() => Interlocked.Increment(ref _version);

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

    /// <summary>Null when semantic search works; otherwise why it does not ("it is starting up", "the model could not load: …").</summary>
    public string? SemanticStatus { get; private set; }

    public bool SemanticReady => _semantic is not null && _embedder is not null && SemanticStatus is null;

    /// <summary>
    /// While a backlog is being embedded, semantic search sees only part of the papers: how many have a vector here,
    /// of how many in the keyword index. Null when semantic search is off.
    /// </summary>
    public (int Embedded, int Papers)? SemanticCoverage => SemanticReady && _semantic is { } s ? (s.Count, FullText.Count) : null;

    public ITextEmbedder? Embedder => EnsureEmbedder();

    /// <summary>The loaded model's id; null until it has loaded (this never loads it).</summary>
    public string? LoadedModel => _embedderTried ? _embedder?.ModelId : null;

    private string CursorPath => Path.Combine(_indexDirectory, "fulltext.cursor");

    private ITextEmbedder? EnsureEmbedder()
    {
        if (!_options.Semantic)
            return null;
        if (_embedderTried)
            return _embedder;
        lock (_embedderLock)
        {
            if (_embedderTried)
                return _embedder;
            try
            {
                _embedder = new MiniLmEmbedder(_modelDirectory, _options.EmbeddingThreads > 0 ? _options.EmbeddingThreads : null,
                    MiniLmEmbedder.DefaultBatchSize, _options.EmbeddingPrecision);
            }
            catch (EmbedderUnavailableException ex)
            {
                SemanticStatus = "the model could not load: " + ex.Message;
                _log.LogWarning("The embedding model could not load; keyword search only: {Message}", ex.Message);
            }
            _embedderTried = true;
            return _embedder;
        }
    }

    // ---- keeping up with the database ------------------------------------------------------------

    public sealed record CatchUpResult(int Indexed, int Embedded);

    /// <summary>
    /// Indexes papers changed since the last run and embeds those without a current embedding, in batches, each
    /// committed before the next (safe to kill at any point). Returns when caught up, or after
    /// <paramref name="maxEmbed"/> embeddings so a long backlog does not starve keyword indexing.
    /// </summary>
    public async Task<CatchUpResult> CatchUpAsync(Action<string>? progress, CancellationToken ct, int maxEmbed = int.MaxValue)
    {
        await _catchUp.WaitAsync(ct);
        try
        {
            var indexed = await IndexChangesAsync(progress, ct);
            if (indexed > 0)
                (_changedDuringPass, _embedPassDone) = (true, false);
            var embedded = await EmbedMissingAsync(progress, maxEmbed, ct);
            if (_embedPassDone && _awaitingVectors.Count > 0)
                await AdoptVectorsFromElsewhereAsync(ct);
            return new CatchUpResult(indexed, embedded);
        }
        finally
        {
            _catchUp.Release();
        }
    }

    private async Task<int> IndexChangesAsync(Action<string>? progress, CancellationToken ct)
    {
        var cursor = ReadCursor();
        var total = 0;
        while (true)
        {
            var changed = await _store.GetChangedPapersAsync(cursor, 2_000, ct);
            if (changed.Count == 0)
                return total;
            FullText.Upsert(changed.Select(c => ToDocument(c.Paper)));
            FullText.Commit();
            Changed();
            if (EnsureEmbedder() is not null)
            {
                foreach (var c in changed)
                    _awaitingVectors[c.Paper.Id] = PaperText.Hash(c.Paper.Title, c.Paper.Abstract);
            }
            cursor = changed[^1].Cursor;
            WriteCursor(cursor.Value);
            total += changed.Count;
            progress?.Invoke($"keyword index: {total:N0} papers");
        }
    }

    private async Task<int> EmbedMissingAsync(Action<string>? progress, int maxEmbed, CancellationToken ct)
    {
        var embedder = EnsureEmbedder();
        if (embedder is null)
            return 0;
        if (_semantic is null || _semantic.Model != embedder.ModelId)
        {
            _semantic = await SemanticIndex.LoadAsync(_store, embedder.ModelId, embedder.Dimensions,
                _options.VectorIndex(), SnapshotPath(embedder.ModelId), ct);
            SemanticStatus = null;
            Changed();
            (_embedCursor, _embedPassDone) = (null, false);
        }
        if (_embedPassDone)
            return 0;
        var done = 0;
        while (done < maxEmbed)
        {
            if (_embedCursor is null)
                _changedDuringPass = false;
            var work = await _store.GetPapersToEmbedAsync(embedder.ModelId, _embedCursor, Math.Min(_options.EmbedBatch, maxEmbed - done), ct);
            if (work.Count == 0)
            {
                // The end of a pass: done, unless papers changed meanwhile (they may sit behind the cursor).
                (_embedCursor, _embedPassDone) = (null, !_changedDuringPass);
                break;
            }
            _embedCursor = work[^1].Id;
            var vectors = embedder.Embed(work.Select(w => PaperText.For(w.Title, w.Abstract)).ToList(), ct);
            var stored = work.Select((w, i) => new StoredEmbedding(w.Id, w.TextHash, vectors[i])).ToList();
            await _store.SaveEmbeddingsAsync(embedder.ModelId, stored, ct);
            _semantic.Add(stored);
            Changed();
            done += work.Count;
            progress?.Invoke($"embedded {done:N0} papers");
        }
        return done;
    }

    /// <summary>
    /// After a finished pass, every changed paper has a current vector in the database: this node's own are in its
    /// index already, and the rest (embedded by another node first) are read and added.
    /// </summary>
    private async Task AdoptVectorsFromElsewhereAsync(CancellationToken ct)
    {
        if (_semantic is not { } semantic || EnsureEmbedder() is not { } embedder)
            return;
        var missing = _awaitingVectors.Where(p => !semantic.Holds(p.Key, p.Value)).Select(p => p.Key).ToList();
        foreach (var chunk in missing.Chunk(500))
            semantic.Add(await _store.ReadEmbeddingsAsync(embedder.ModelId, chunk, ct));
        Changed();
        _awaitingVectors.Clear();
    }

    /// <summary>Drops the derived indexes and builds them again from the database (embeddings are reused).</summary>
    public async Task<CatchUpResult> RebuildAsync(Action<string>? progress, CancellationToken ct)
    {
        await _catchUp.WaitAsync(ct);
        try
        {
            FullText.Clear();
            FullText.Commit();
            if (File.Exists(CursorPath))
                File.Delete(CursorPath);
            if (EnsureEmbedder() is { } embedder)
            {
                RetireLater(_semantic);
                var snapshot = SnapshotPath(embedder.ModelId);
                foreach (var f in new[] { snapshot, snapshot + ".ids" })
                {
                    if (File.Exists(f))
                        File.Delete(f);
                }
                _semantic = null;
            }
            Changed();
        }
        finally
        {
            _catchUp.Release();
        }
        var result = await CatchUpAsync(progress, ct);
        await SaveSnapshotAsync(ct);
        return result;
    }

    /// <summary>Rebuilds the snapshot once more than <paramref name="delta"/> vectors wait beside it.</summary>
    public async Task SaveSnapshotIfLargeAsync(int delta, CancellationToken ct)
    {
        if (_semantic is { } s && s.DeltaCount > delta)
            await SaveSnapshotAsync(ct);
    }

    /// <summary>Folds recent vectors into a new HNSW snapshot (written atomically) when the set is large.</summary>
    public async Task SaveSnapshotAsync(CancellationToken ct)
    {
        if (EnsureEmbedder() is not { } embedder)
            return;
        var set = await _store.DescribeEmbeddingsAsync(embedder.ModelId, ct);
        if (set.Count < _options.ExactBelow || (_semantic is { IsHnsw: true, DeltaCount: 0 } && _semantic.Count == set.Count))
            return;
        var all = new List<StoredEmbedding>((int)set.Count);
        await foreach (var e in _store.ReadEmbeddingsAsync(embedder.ModelId, ct))
            all.Add(e);
        var rebuilt = SemanticIndex.Build(embedder.ModelId, embedder.Dimensions, all, _options.VectorIndex(), SnapshotPath(embedder.ModelId), set);
        RetireLater(Interlocked.Exchange(ref _semantic, rebuilt));
        Changed();
        // Snapshots of other models (the precision was switched, the package updated) will not be read again.
        var current = Path.GetFileName(SnapshotPath(embedder.ModelId));
        foreach (var file in Directory.EnumerateFiles(_indexDirectory, "vectors-*.usearch*"))
        {
            if (!Path.GetFileName(file).StartsWith(current, StringComparison.Ordinal))
                File.Delete(file);
        }
    }

    /// <summary>
    /// Disposes a replaced vector index a while later: searches read <c>_semantic</c> without a lock, and one may still
    /// be running on the old index (disposing it under a running HNSW search would free memory the search reads).
    /// </summary>
    private static void RetireLater(SemanticIndex? old)
    {
        if (old is not null)
            _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
    }

    private string SnapshotPath(string model) => Path.Combine(_indexDirectory, "vectors-" + model.Replace('@', '-') + ".usearch");

    private ChangeCursor? ReadCursor()
    {
        try
        {
            return File.Exists(CursorPath) && FullText.Count > 0 ? JsonSerializer.Deserialize<ChangeCursor>(File.ReadAllText(CursorPath)) : null;
        }
        catch (JsonException)
        {
            return null; // an unreadable cursor means: index everything again (upserts are idempotent)
        }
    }

    private void WriteCursor(ChangeCursor cursor)
    {
        Directory.CreateDirectory(_indexDirectory);
        var tmp = CursorPath + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(cursor));
        File.Move(tmp, CursorPath, overwrite: true);
    }

    public static FullTextDocument ToDocument(PaperRecord p) => new(p.Id, p.Title, p.Abstract, p.Authors, p.Categories, p.PublishedOn);

    // ---- searching ---------------------------------------------------------------------------------

    public async Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct)
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
        var semanticIndex = SemanticReady ? _semantic : null;
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
            ? Task.Run(() => semanticIndex!.Search(QueryVector(_embedder!, q, ct), semanticDepth, null), ct)
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
        var semanticIndex = SemanticReady ? _semantic : null;
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
        if (_fullText.IsValueCreated)
            _fullText.Value.Dispose();
        _semantic?.Dispose();
        _embedder?.Dispose();
        _catchUp.Dispose();
    }
}
