using Paperboy.Core.Papers;

namespace Paperboy.Core.Search.Vectors;

/// <summary>
/// All papers' vectors for one model, derived from the database. A large set is an HNSW graph saved atomically to the
/// data directory and memory-mapped; vectors embedded since are searched exactly beside it ("delta") until the next
/// rebuild. Readers work on an immutable state that writers replace whole, so a search never sees a half-made index.
/// </summary>
public sealed class SemanticIndex : IDisposable
{
    // Hashes[ordinal]: the text hash the vector was made from (as 64 bits), so the engine can tell which papers'
    // vectors it holds are current.
    private sealed record State(string[] Ids, ulong[] Hashes, Dictionary<string, int> Ordinals, IVectorSearcher Main, int MainCount, float[] Delta, HashSet<int> Dead);

    private readonly int _dimensions;
    private readonly object _writeLock = new();
    private State _state;

    public string Model { get; }
    public bool IsHnsw => _state.Main is HnswVectors;
    public int Count => _state.Ids.Length - _state.Dead.Count;
    public int DeltaCount => _state.Delta.Length / _dimensions;

    private SemanticIndex(string model, int dimensions, string[] ids, ulong[] hashes, IVectorSearcher main)
    {
        Model = model;
        _dimensions = dimensions;
        var ordinals = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
            ordinals[ids[i]] = i;
        _state = new State(ids, hashes, ordinals, main, ids.Length, [], []);
    }

    public static SemanticIndex Empty(string model, int dimensions) => new(model, dimensions, [], [], new ExactVectors([], dimensions));

    /// <summary>Whether this index holds a vector of <paramref name="id"/> made from the text with this hash.</summary>
    public bool Holds(string id, string? textHash)
    {
        var s = Volatile.Read(ref _state);
        return s.Ordinals.TryGetValue(id, out var ordinal) && !s.Dead.Contains(ordinal) && s.Hashes[ordinal] == Hash64(textHash);
    }

    /// <summary>Text hashes are 16 hex digits (see PaperText.Hash); anything else (none) is 0.</summary>
    private static ulong Hash64(string? textHash) =>
        ulong.TryParse(textHash, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var h) ? h : 0;

    /// <summary>
    /// Builds from the given vectors: exact below the threshold, HNSW from it (saved to <paramref name="snapshotPath"/>
    /// if given, labelled with <paramref name="set"/>: the database's embeddings as they stood before they were read).
    /// </summary>
    public static SemanticIndex Build(string model, int dimensions, IReadOnlyList<StoredEmbedding> embeddings, VectorIndexOptions options, string? snapshotPath, EmbeddingSet set = default)
    {
        var ids = embeddings.Select(e => e.Id).ToArray();
        var hashes = embeddings.Select(e => Hash64(e.TextHash)).ToArray();
        if (embeddings.Count < options.ExactBelow)
        {
            var data = new float[embeddings.Count * dimensions];
            for (var i = 0; i < embeddings.Count; i++)
                embeddings[i].Vector.AsSpan().CopyTo(data.AsSpan(i * dimensions, dimensions));
            return new SemanticIndex(model, dimensions, ids, hashes, new ExactVectors(data, dimensions));
        }
        var hnsw = HnswVectors.Build(embeddings.Select(e => e.Vector).ToList(), dimensions, options);
        if (snapshotPath is null)
            return new SemanticIndex(model, dimensions, ids, hashes, hnsw);
        // Ids first, then the graph: a reader checks that both agree on the count before trusting them.
        Directory.CreateDirectory(Path.GetDirectoryName(snapshotPath)!);
        var lines = ids.Select((id, i) => id + " " + hashes[i].ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        WriteAtomically(snapshotPath + ".ids", string.Join('\n', lines.Prepend(Label(model, set))));
        hnsw.Save(snapshotPath);
        hnsw.Dispose();
        return new SemanticIndex(model, dimensions, ids, hashes, HnswVectors.View(snapshotPath, options));
    }

    /// <summary>
    /// The saved HNSW snapshot, if it exists and was built from exactly <paramref name="current"/> (this model's
    /// embeddings now: same count, same newest write; a paper embedded again since makes it stale).
    /// </summary>
    public static SemanticIndex? TryOpenSnapshot(string model, int dimensions, string snapshotPath, EmbeddingSet current, VectorIndexOptions options)
    {
        if (!File.Exists(snapshotPath) || !File.Exists(snapshotPath + ".ids"))
            return null;
        var lines = File.ReadAllLines(snapshotPath + ".ids");
        if (lines.Length == 0 || lines[0] != Label(model, current) || lines.Length - 1 != current.Count)
            return null;
        var ids = new string[lines.Length - 1];
        var hashes = new ulong[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            if (lines[i + 1].Split(' ') is not [var id, var hash])
                return null; // not a file this version wrote: rebuild
            (ids[i], hashes[i]) = (id, Hash64(hash));
        }
        var view = HnswVectors.View(snapshotPath, options);
        if (view.Count != ids.Length)
        {
            view.Dispose();
            return null;
        }
        return new SemanticIndex(model, dimensions, ids, hashes, view);
    }

    public static async Task<SemanticIndex> LoadAsync(IEmbeddingStore store, string model, int dimensions, VectorIndexOptions options, string? snapshotPath, CancellationToken ct)
    {
        var set = await store.DescribeEmbeddingsAsync(model, ct);
        if (snapshotPath is not null && TryOpenSnapshot(model, dimensions, snapshotPath, set, options) is { } saved)
            return saved;
        var all = new List<StoredEmbedding>((int)Math.Min(set.Count, int.MaxValue));
        await foreach (var e in store.ReadEmbeddingsAsync(model, ct))
            all.Add(e);
        return Build(model, dimensions, all, options, snapshotPath, set);
    }

    /// <summary>Adds or replaces vectors (new embeddings); searchable as soon as this returns.</summary>
    public void Add(IReadOnlyList<StoredEmbedding> items)
    {
        if (items.Count == 0)
            return;
        lock (_writeLock)
        {
            var s = _state;
            var ids = new string[s.Ids.Length + items.Count];
            s.Ids.CopyTo(ids, 0);
            var hashes = new ulong[ids.Length];
            s.Hashes.CopyTo(hashes, 0);
            var ordinals = new Dictionary<string, int>(s.Ordinals, StringComparer.Ordinal);
            var dead = new HashSet<int>(s.Dead);
            var delta = new float[s.Delta.Length + items.Count * _dimensions];
            s.Delta.CopyTo(delta, 0);
            for (var i = 0; i < items.Count; i++)
            {
                var ordinal = s.Ids.Length + i;
                if (ordinals.TryGetValue(items[i].Id, out var old))
                    dead.Add(old);
                ids[ordinal] = items[i].Id;
                hashes[ordinal] = Hash64(items[i].TextHash);
                ordinals[items[i].Id] = ordinal;
                items[i].Vector.AsSpan().CopyTo(delta.AsSpan(s.Delta.Length + i * _dimensions, _dimensions));
            }
            Volatile.Write(ref _state, s with { Ids = ids, Hashes = hashes, Ordinals = ordinals, Delta = delta, Dead = dead });
        }
    }

    public IReadOnlyList<(string Id, float Score)> Search(float[] query, int k, Func<string, bool>? accept)
    {
        var s = Volatile.Read(ref _state);
        bool Accept(int ordinal) => !s.Dead.Contains(ordinal) && (accept is null || accept(s.Ids[ordinal]));
        // No filter at all when nothing is to be skipped: a filtered HNSW search has to ask for more.
        Func<int, bool>? filter = s.Dead.Count == 0 && accept is null ? null : Accept;
        var hits = s.Main.Search(query, k, filter).ToList();
        if (s.Delta.Length > 0)
            hits.AddRange(new ExactVectors(s.Delta, _dimensions, s.MainCount).Search(query, k, filter));
        return hits.OrderByDescending(h => h.Score).Take(k).Select(h => (s.Ids[h.Ordinal], h.Score)).ToList();
    }

    /// <summary>The stored vector of a paper, for "similar papers".</summary>
    public float[]? VectorOf(string id)
    {
        var s = Volatile.Read(ref _state);
        if (!s.Ordinals.TryGetValue(id, out var ordinal))
            return null;
        return ordinal < s.MainCount ? s.Main.Vector(ordinal) : new ExactVectors(s.Delta, _dimensions, s.MainCount).Vector(ordinal);
    }

    private static string Label(string model, EmbeddingSet set) => model + " " + set;

    private static void WriteAtomically(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }

    public void Dispose() => _state.Main.Dispose();
}
