using System.ComponentModel.DataAnnotations;

namespace Paperboy.Core.Search;

/// <summary>Bound from the <c>Search</c> section.</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>Semantic search with the local model; off: keyword search only.</summary>
    public bool Semantic { get; set; } = true;

    /// <summary>Threads per embedding inference (ONNX Runtime IntraOpNumThreads); 0: one per core.</summary>
    [Range(0, 256)]
    public int EmbeddingThreads { get; set; }

    /// <summary>Auto, Int8 (quantised weights, the faster) or Float32 (the packaged model as is); see <see cref="Search.EmbeddingPrecision"/>.</summary>
    public EmbeddingPrecision EmbeddingPrecision { get; set; } = EmbeddingPrecision.Auto;

    /// <summary>Below this many vectors semantic search is exact; from it on, HNSW.</summary>
    [Range(0, int.MaxValue)]
    public int ExactBelow { get; set; } = 20_000;

    /// <summary>HNSW graph degree (M), used from <see cref="ExactBelow"/> vectors on.</summary>
    [Range(4, 128)]
    public int HnswConnectivity { get; set; } = 16;

    /// <summary>HNSW candidates kept while linking a vector (efConstruction).</summary>
    [Range(16, 4096)]
    public int HnswExpansionAdd { get; set; } = 128;

    /// <summary>HNSW candidates kept while searching (ef): recall against latency (see bench/search.sh).</summary>
    [Range(10, 4096)]
    public int HnswExpansionSearch { get; set; } = 96;

    /// <summary>HNSW searches run at once per graph (each needs a search context reserved ahead); 0: four per core, at least 16.</summary>
    [Range(0, 4096)]
    public int HnswSearchThreads { get; set; }

    /// <summary>Query vectors kept for repeated queries (384 floats each: 2,048 take 3 MB).</summary>
    [Range(1, 1_000_000)]
    public int QueryCacheSize { get; set; } = 2_048;

    /// <summary>How many hits each list contributes to fusion.</summary>
    [Range(10, 2000)]
    public int Depth { get; set; } = 200;

    /// <summary>
    /// Reciprocal rank fusion's k. 10 rather than the customary 60: on SciFact (each half of the train queries,
    /// chosen on one half and checked on the other) a sharper head is worth about +0.013 nDCG@10.
    /// </summary>
    [Range(1, 1000)]
    public double FusionK { get; set; } = 10;

    /// <summary>Weights of the keyword and semantic lists in fusion (BM25 is the stronger list on papers).</summary>
    public double KeywordWeight { get; set; } = 1.3;
    public double SemanticWeight { get; set; } = 1;

    /// <summary>How often serve's indexer looks for new papers.</summary>
    public TimeSpan IndexPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Papers embedded per batch by the indexer (committed together).</summary>
    [Range(1, 4096)]
    public int EmbedBatch { get; set; } = 64;

    public Vectors.VectorIndexOptions VectorIndex() => new()
    {
        ExactBelow = ExactBelow,
        Connectivity = HnswConnectivity,
        ExpansionAdd = HnswExpansionAdd,
        ExpansionSearch = HnswExpansionSearch,
        SearchThreads = HnswSearchThreads,
    };
}

public enum SearchMode { Hybrid, Keyword, Semantic }

public static class SearchModes
{
    /// <summary>hybrid (also when empty or missing), keyword or semantic, as the page and the API take it.</summary>
    public static bool TryParse(string? text, out SearchMode mode)
    {
        (var known, mode) = text switch
        {
            null or "" or "hybrid" => (true, SearchMode.Hybrid),
            "keyword" => (true, SearchMode.Keyword),
            "semantic" => (true, SearchMode.Semantic),
            _ => (false, SearchMode.Hybrid),
        };
        return known;
    }
}

public enum SearchSort { Relevance, Date }
