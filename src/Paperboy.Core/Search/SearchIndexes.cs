using Microsoft.Extensions.Logging;
using Paperboy.Core.Search.Embeddings;
using Paperboy.Core.Search.FullText;
using Paperboy.Core.Search.Vectors;

namespace Paperboy.Core.Search;

/// <summary>
/// What search reads, all derived from the database: the keyword index, the vector index of the model in use, and
/// the model itself. <see cref="SearchIndexUpkeep"/> writes them; <see cref="SearchEngine"/> queries them. If the
/// model cannot load, keyword search goes on and <see cref="SemanticStatus"/> says why semantic search is off.
/// </summary>
public sealed class SearchIndexes : IDisposable
{
    private readonly SearchOptions _options;
    private readonly ILogger _log;
    private readonly string _modelDirectory;
    private readonly object _embedderLock = new();
    private readonly Lazy<FullTextIndex> _fullText;
    private ITextEmbedder? _embedder;
    private SemanticIndex? _semantic;
    private bool _embedderTried;
    private long _version;

    public SearchIndexes(SearchOptions options, string dataDirectory, ILogger log, ITextEmbedder? embedder = null)
    {
        _options = options;
        _log = log;
        IndexDirectory = Path.Combine(dataDirectory, "index");
        _modelDirectory = Path.Combine(dataDirectory, "models", MiniLmEmbedder.ModelName);
        _fullText = new Lazy<FullTextIndex>(() => new FullTextIndex(Path.Combine(IndexDirectory, "fulltext")));
        if (embedder is not null)
        {
            _embedder = embedder;
            _embedderTried = true;
        }
        SemanticStatus = options.Semantic ? "it is starting up" : "it is switched off: Search:Semantic=false";
    }

    public string IndexDirectory { get; }

    public FullTextIndex FullText => _fullText.Value;

    /// <summary>The vector index of the model in use; readers take it once per search (it may be swapped meanwhile).</summary>
    public SemanticIndex? Semantic
    {
        get => Volatile.Read(ref _semantic);
        internal set => Volatile.Write(ref _semantic, value);
    }

    /// <summary>Puts a new vector index in place; returns the old one (for <see cref="RetireLater"/>).</summary>
    internal SemanticIndex? SwapSemantic(SemanticIndex next) => Interlocked.Exchange(ref _semantic, next);

    /// <summary>
    /// Moves whenever what a search can answer changes (papers indexed, vectors added, a graph swapped): a cached
    /// answer made at another version may be stale.
    /// </summary>
    public long Version => Volatile.Read(ref _version);

    internal void Changed() => Interlocked.Increment(ref _version);

    /// <summary>Null when semantic search works; otherwise why it does not ("it is starting up", "the model could not load: …").</summary>
    public string? SemanticStatus { get; internal set; }

    public bool SemanticReady => Semantic is not null && _embedder is not null && SemanticStatus is null;

    /// <summary>
    /// While a backlog is being embedded, semantic search sees only part of the papers: how many have a vector here,
    /// of how many in the keyword index. Null when semantic search is off.
    /// </summary>
    public (int Embedded, int Papers)? SemanticCoverage => SemanticReady && Semantic is { } s ? (s.Count, FullText.Count) : null;

    public ITextEmbedder? Embedder => EnsureEmbedder();

    /// <summary>The loaded model's id; null until it has loaded (this never loads it).</summary>
    public string? LoadedModel => _embedderTried ? _embedder?.ModelId : null;

    internal ITextEmbedder? EnsureEmbedder()
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

    public string SnapshotPath(string model) => Path.Combine(IndexDirectory, "vectors-" + model.Replace('@', '-') + ".usearch");

    /// <summary>
    /// Disposes a replaced vector index a while later: searches read <see cref="Semantic"/> without a lock, and one may
    /// still be running on the old index (disposing it under a running HNSW search would free memory the search reads).
    /// </summary>
    internal static void RetireLater(SemanticIndex? old)
    {
        if (old is not null)
            _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
    }

    public void Dispose()
    {
        if (_fullText.IsValueCreated)
            _fullText.Value.Dispose();
        _semantic?.Dispose();
        _embedder?.Dispose();
    }
}
