using System.Text.Json;
using Paperboy.Core.Papers;
using Paperboy.Core.Search.FullText;
using Paperboy.Core.Search.Vectors;

namespace Paperboy.Core.Search;

/// <summary>
/// Keeps the search indexes up to the database: <see cref="CatchUpAsync"/> is what `paperboy index` and serve's
/// background indexer run; <see cref="RebuildAsync"/> makes them again from the database. Every write is safe to
/// kill at any point: the database is the truth and the indexes follow it.
/// </summary>
public sealed class SearchIndexUpkeep(IEmbeddingStore store, SearchIndexes indexes, SearchOptions options) : IDisposable
{
    private readonly IEmbeddingStore _store = store;
    private readonly SearchIndexes _indexes = indexes;
    private readonly SearchOptions _options = options;
    private readonly SemaphoreSlim _catchUp = new(1, 1);

    // A pass over the papers missing an embedding runs by id (the cursor), each paper read once; it is needed again
    // only when papers changed (the change feed said so) or the model did: serve polls every few seconds, and a
    // scan of a large store is not free (67,802 papers: 0.2 s).
    private string? _embedCursor;
    private bool _embedPassDone;
    private bool _changedDuringPass;

    // Papers the change feed reported (id, text hash) whose vector this node may not hold yet: another node may have
    // embedded them first, and then this node's pass does not see them as missing.
    private readonly Dictionary<string, string> _awaitingVectors = new(StringComparer.Ordinal);

    private FullTextIndex FullText => _indexes.FullText;

    private SemanticIndex? Semantic
    {
        get => _indexes.Semantic;
        set => _indexes.Semantic = value;
    }

    private string IndexDirectory => _indexes.IndexDirectory;

    private string CursorPath => Path.Combine(IndexDirectory, "fulltext.cursor");

    private ITextEmbedder? EnsureEmbedder() => _indexes.EnsureEmbedder();

    private void Changed() => _indexes.Changed();

    private string SnapshotPath(string model) => _indexes.SnapshotPath(model);

    public sealed record CatchUpResult(int Indexed, int Embedded);

    /// <summary>
    /// Indexes papers changed since the last run and embeds those without a current embedding, in batches, each
    /// committed before the next (safe to kill at any point). Returns when caught up, or after
    /// <paramref name="maxEmbed"/> embeddings so a long backlog does not starve keyword indexing.
    /// </summary>
    /// <summary>Whether the keyword index has followed the change feed to its end at least once (readiness).</summary>
    public bool KeywordCurrent { get; private set; }

    public async Task<CatchUpResult> CatchUpAsync(Action<string>? progress, CancellationToken ct, int maxEmbed = int.MaxValue)
    {
        await _catchUp.WaitAsync(ct);
        try
        {
            var indexed = await IndexChangesAsync(progress, ct);
            KeywordCurrent = true;
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
        if (Semantic is null || Semantic.Model != embedder.ModelId)
        {
            Semantic = await SemanticIndex.LoadAsync(_store, embedder.ModelId, embedder.Dimensions,
                _options.VectorIndex(), SnapshotPath(embedder.ModelId), ct);
            _indexes.SemanticStatus = null;
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
            Telemetry.PaperboyMetrics.EmbeddingsMade.Add(stored.Count);
            Semantic.Add(stored);
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
        if (Semantic is not { } semantic || EnsureEmbedder() is not { } embedder)
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
                SearchIndexes.RetireLater(Semantic);
                var snapshot = SnapshotPath(embedder.ModelId);
                foreach (var f in new[] { snapshot, snapshot + ".ids" })
                {
                    if (File.Exists(f))
                        File.Delete(f);
                }
                Semantic = null;
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
        if (Semantic is { } s && s.DeltaCount > delta)
            await SaveSnapshotAsync(ct);
    }

    /// <summary>Folds recent vectors into a new HNSW snapshot (written atomically) when the set is large.</summary>
    public async Task SaveSnapshotAsync(CancellationToken ct)
    {
        if (EnsureEmbedder() is not { } embedder)
            return;
        var set = await _store.DescribeEmbeddingsAsync(embedder.ModelId, ct);
        if (set.Count < _options.ExactBelow || (Semantic is { IsHnsw: true, DeltaCount: 0 } && Semantic.Count == set.Count))
            return;
        var all = new List<StoredEmbedding>((int)set.Count);
        await foreach (var e in _store.ReadEmbeddingsAsync(embedder.ModelId, ct))
            all.Add(e);
        var rebuilt = SemanticIndex.Build(embedder.ModelId, embedder.Dimensions, all, _options.VectorIndex(), SnapshotPath(embedder.ModelId), set);
        SearchIndexes.RetireLater(_indexes.SwapSemantic(rebuilt));
        Changed();
        // Snapshots of other models (the precision was switched, the package updated) will not be read again.
        var current = Path.GetFileName(SnapshotPath(embedder.ModelId));
        foreach (var file in Directory.EnumerateFiles(IndexDirectory, "vectors-*.usearch*"))
        {
            if (!Path.GetFileName(file).StartsWith(current, StringComparison.Ordinal))
                File.Delete(file);
        }
    }

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
        Directory.CreateDirectory(IndexDirectory);
        var tmp = CursorPath + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(cursor));
        File.Move(tmp, CursorPath, overwrite: true);
    }

    public static FullTextDocument ToDocument(PaperRecord p) => new(p.Id, p.Title, p.Abstract, p.Authors, p.Categories, p.PublishedOn);

    public void Dispose() => _catchUp.Dispose();
}
