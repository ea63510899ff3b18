using System.Numerics.Tensors;
using Paperboy.Core.Search;
using Paperboy.Core.Search.Vectors;

namespace Paperboy.Tests.Search;

/// <summary>The HNSW path (used from Search:ExactBelow vectors on) against exact search, in memory and as a snapshot.</summary>
public sealed class VectorIndexTests : IDisposable
{
    private const int Dimensions = 32;
    private readonly string _dir = Directory.CreateTempSubdirectory("paperboy-vectors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_parallel_built_hnsw_graph_finds_what_exact_search_finds()
    {
        var vectors = RandomUnitVectors(3_000, seed: 1);
        var options = new VectorIndexOptions { BuildThreads = 4, ExpansionSearch = 64 };
        using var hnsw = HnswVectors.Build(vectors, Dimensions, options);
        var exact = new ExactVectors(vectors.SelectMany(v => v).ToArray(), Dimensions);

        Assert.Equal(vectors.Count, hnsw.Count);
        double recall = 0;
        foreach (var q in RandomUnitVectors(100, seed: 2))
        {
            var truth = exact.Search(q, 10, null).Select(h => h.Ordinal).ToHashSet();
            var found = hnsw.Search(q, 10, null);
            Assert.Equal(10, found.Count);
            Assert.True(found.Zip(found.Skip(1)).All(p => p.First.Score >= p.Second.Score), "hits come best first");
            recall += found.Count(h => truth.Contains(h.Ordinal)) / 10.0;
        }
        Assert.True(recall / 100 > 0.9, $"recall@10 {recall / 100:F3}");

        // A filter that rejects most vectors still gets k hits, all passing, best first (the search widens).
        static bool Rare(int ordinal) => ordinal % 50 == 7;
        var q0 = RandomUnitVectors(1, seed: 5)[0];
        var filtered = hnsw.Search(q0, 10, Rare);
        Assert.Equal(10, filtered.Count);
        Assert.All(filtered, h => Assert.True(Rare(h.Ordinal)));
        var exactFiltered = exact.Search(q0, 10, Rare).Select(h => h.Ordinal).ToHashSet();
        Assert.True(filtered.Count(h => exactFiltered.Contains(h.Ordinal)) >= 8);
        // Every vector went in under its own ordinal, whichever thread added it.
        Assert.Equal(vectors[1234], hnsw.Vector(1234)!, (a, b) => Math.Abs(a - b) < 2e-3f);
    }

    [Fact]
    public void A_snapshot_opens_with_the_configured_search_breadth_and_the_same_answers()
    {
        var embeddings = RandomUnitVectors(500, seed: 3).Select((v, i) => new StoredEmbedding($"2501.{i:D5}", "hash", v)).ToList();
        var options = new VectorIndexOptions { ExactBelow = 100, ExpansionSearch = 173 };
        var path = Path.Combine(_dir, "vectors.usearch");
        var query = RandomUnitVectors(1, seed: 4)[0];

        var set = new EmbeddingSet(embeddings.Count, new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        using var built = SemanticIndex.Build("model@1", Dimensions, embeddings, options, path, set);
        Assert.True(built.IsHnsw);
        using (var view = HnswVectors.View(path, options))
            Assert.Equal(173, view.ExpansionSearch); // a viewed file otherwise searches with the library's default
        using var reopened = SemanticIndex.TryOpenSnapshot("model@1", Dimensions, path, set, options);
        Assert.NotNull(reopened);
        Assert.Equal(built.Search(query, 10, null), reopened.Search(query, 10, null));
        // Another model's snapshot, or one built before a vector was added or embedded again, is not trusted.
        Assert.Null(SemanticIndex.TryOpenSnapshot("model@2", Dimensions, path, set, options));
        Assert.Null(SemanticIndex.TryOpenSnapshot("model@1", Dimensions, path, set with { Count = set.Count + 1 }, options));
        Assert.Null(SemanticIndex.TryOpenSnapshot("model@1", Dimensions, path, set with { Latest = set.Latest!.Value.AddMilliseconds(1) }, options));
    }

    private static List<float[]> RandomUnitVectors(int count, int seed)
    {
        var rng = new Random(seed);
        var result = new List<float[]>(count);
        for (var i = 0; i < count; i++)
        {
            var v = new float[Dimensions];
            for (var d = 0; d < Dimensions; d++)
                v[d] = (float)(rng.NextDouble() * 2 - 1);
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            result.Add(v);
        }
        return result;
    }
}
