using System.Numerics.Tensors;
using Cloud.Unum.USearch;

namespace Paperboy.Core.Search.Vectors;

public sealed class VectorIndexOptions
{
    /// <summary>Below this many vectors search is exact (a scan with TensorPrimitives); from it on, HNSW.</summary>
    public int ExactBelow { get; set; } = 20_000;
    public int Connectivity { get; set; } = 16;
    public int ExpansionAdd { get; set; } = 128;
    public int ExpansionSearch { get; set; } = 96;
}

public readonly record struct VectorHit(int Ordinal, float Score);

/// <summary>A searchable set of vectors keyed by ordinal; scores are cosine similarities (vectors are unit length).</summary>
public interface IVectorSearcher : IDisposable
{
    int Count { get; }

    IReadOnlyList<VectorHit> Search(float[] query, int k, Func<int, bool>? accept);

    float[]? Vector(int ordinal);
}

/// <summary>Exact search: every vector scored. Right for small sets and for the recent additions of a large one.</summary>
public sealed class ExactVectors(float[] data, int dimensions, int baseOrdinal = 0) : IVectorSearcher
{
    public int Count => data.Length / dimensions;

    public IReadOnlyList<VectorHit> Search(float[] query, int k, Func<int, bool>? accept)
    {
        var top = new PriorityQueue<int, float>(k + 1);
        var q = query.AsSpan();
        for (var i = 0; i < Count; i++)
        {
            var ordinal = baseOrdinal + i;
            if (accept is not null && !accept(ordinal))
                continue;
            var score = TensorPrimitives.Dot(data.AsSpan(i * dimensions, dimensions), q);
            if (top.Count < k)
                top.Enqueue(ordinal, score);
            else if (top.TryPeek(out _, out var worst) && score > worst)
                top.EnqueueDequeue(ordinal, score);
        }
        var hits = new VectorHit[top.Count];
        for (var i = hits.Length - 1; top.TryDequeue(out var ordinal, out var score); i--)
            hits[i] = new VectorHit(ordinal, score);
        return hits;
    }

    public float[]? Vector(int ordinal)
    {
        var i = ordinal - baseOrdinal;
        return i >= 0 && i < Count ? data.AsSpan(i * dimensions, dimensions).ToArray() : null;
    }

    public void Dispose()
    {
    }
}

/// <summary>HNSW (USearch, F16 storage), built in memory or viewed memory-mapped from a file written atomically.</summary>
public sealed class HnswVectors : IVectorSearcher
{
    private readonly USearchIndex _index;

    private HnswVectors(USearchIndex index) => _index = index;

    public int Count => (int)_index.Size();

    public static HnswVectors Build(IReadOnlyList<float[]> vectors, int dimensions, VectorIndexOptions options)
    {
        var index = new USearchIndex(MetricKind.Cos, ScalarKind.Float16, (ulong)dimensions, (ulong)options.Connectivity,
            (ulong)options.ExpansionAdd, (ulong)options.ExpansionSearch, false);
        const int Chunk = 4096;
        for (var start = 0; start < vectors.Count; start += Chunk)
        {
            var n = Math.Min(Chunk, vectors.Count - start);
            var keys = new ulong[n];
            var chunk = new float[n][];
            for (var i = 0; i < n; i++)
            {
                keys[i] = (ulong)(start + i);
                chunk[i] = vectors[start + i];
            }
            index.Add(keys, chunk);
        }
        return new HnswVectors(index);
    }

    /// <summary>Writes the index to <paramref name="path"/> atomically: readers see the old file or the whole new one.</summary>
    public void Save(string path)
    {
        var tmp = path + ".tmp";
        _index.Save(tmp);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Memory-maps a saved index: its pages load on demand and are shared with the page cache.</summary>
    public static HnswVectors View(string path) => new(new USearchIndex(path, true));

    public IReadOnlyList<VectorHit> Search(float[] query, int k, Func<int, bool>? accept)
    {
        // With a filter, ask for more and keep those that pass; the filter is rarely that selective.
        var want = accept is null ? k : Math.Min(Count, Math.Max(k * 8, 200));
        var found = _index.Search(query, want, out var keys, out var distances);
        var hits = new List<VectorHit>(Math.Min(k, found));
        for (var i = 0; i < found && hits.Count < k; i++)
        {
            var ordinal = (int)keys[i];
            if (accept is null || accept(ordinal))
                hits.Add(new VectorHit(ordinal, 1f - distances[i]));
        }
        return hits;
    }

    public float[]? Vector(int ordinal)
    {
        var v = new float[_index.Dimensions()];
        return _index.Get((ulong)ordinal, out v) > 0 ? v : null;
    }

    public void Dispose() => _index.Dispose();
}
