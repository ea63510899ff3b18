using Paperboy.Core.Recommend.Text;

namespace Paperboy.Core.Recommend;

/// <summary>
/// How the recommender scores a candidate c for a member with positives P and negatives N:
/// <c>score(c) = T(c, P) + EmbeddingWeight · E(c, P) − NegativeWeight · (T(c, N) + EmbeddingWeight · E(c, N)) − HubWeight · H(c)</c>,
/// where T is the mean keyword cosine of c to its <see cref="TopK"/> nearest papers of the set, E the same with
/// embedding cosines, and H c's hubness (see <see cref="HubWeight"/>). Nearest-neighbour rather than a centroid: a member reads about several things, and a paper
/// need only be near one of them.
/// </summary>
public sealed record RecommenderSettings
{
    public KeywordSettings Keywords { get; init; } = new();

    /// <summary>How many of the nearest positives (negatives) are averaged; fewer when the member has fewer.</summary>
    public int TopK { get; init; } = 5;

    public double EmbeddingWeight { get; init; }

    public double NegativeWeight { get; init; } = 1.0;

    /// <summary>
    /// How much a candidate's hubness (its mean cosine to its <see cref="HubNeighbours"/> nearest papers of a sample of
    /// the corpus) is taken off its score: a paper that resembles everything is near every member's papers without
    /// being about what any of them reads.
    /// </summary>
    public double HubWeight { get; init; } = 0.5;

    public int HubNeighbours { get; init; } = 10;

    /// <summary>How many nearest positives and shared terms an explanation names.</summary>
    public int ExplainPositives { get; init; } = 3;
    public int ExplainTerms { get; init; } = 5;

    public static RecommenderSettings Default { get; } = new();
}

/// <summary>
/// The papers recommendations are drawn from (the new papers of the last days), prepared once and shared by every
/// member's ranking: their keyword vectors, an inverted index of those (so a member's keyword similarities cost only
/// the postings of their own terms), and their embeddings. Immutable, so thread-safe.
/// </summary>
public sealed class CandidatePool
{
    private readonly Dictionary<int, (int[] Docs, float[] Weights)> _postings;

    private CandidatePool(IReadOnlyList<RecommendPaper> papers, KeywordSpace keywords, SparseVector[] text, RecommenderSettings settings)
    {
        Hubness = settings.HubWeight == 0 ? new float[text.Length] : ComputeHubness(text, keywords, settings.HubNeighbours);
        Papers = papers;
        Keywords = keywords;
        Text = text;
        Settings = settings;
        _postings = SparseVector.Postings(text);
    }

    public IReadOnlyList<RecommendPaper> Papers { get; }

    public int Count => Papers.Count;

    /// <summary>The keyword statistics members' models are trained in.</summary>
    public KeywordSpace Keywords { get; }

    public RecommenderSettings Settings { get; }

    internal SparseVector[] Text { get; }

    /// <summary>Each candidate's mean keyword cosine to its nearest papers of the keyword space's reference sample.</summary>
    internal float[] Hubness { get; }

    private static float[] ComputeHubness(SparseVector[] candidates, KeywordSpace keywords, int neighbours)
    {
        var hub = new float[candidates.Length];
        var reference = keywords.Reference;
        if (reference.Count == 0 || neighbours <= 0)
            return hub;
        var postings = keywords.ReferencePostings; // made once per statistics, for every pool built in them
        Parallel.For(0, candidates.Length, () => (Sims: new float[reference.Count], Top: new float[neighbours]), (c, _, buffers) =>
        {
            var (sims, top) = buffers;
            Array.Clear(sims);
            var v = candidates[c];
            for (var i = 0; i < v.Count; i++)
            {
                if (!postings.TryGetValue(v.Indices[i], out var list))
                    continue;
                var w = v.Values[i];
                for (var j = 0; j < list.Docs.Length; j++)
                    sims[list.Docs[j]] += w * list.Weights[j];
            }
            // The candidate itself (or a copy of it) in the sample is not a neighbour.
            for (var i = 0; i < sims.Length; i++)
            {
                if (sims[i] > 0.999f)
                    sims[i] = 0;
            }
            hub[c] = (float)MemberModel.TopMean(sims, top);
            return buffers;
        }, _ => { });
        return hub;
    }

    /// <summary>
    /// Builds the pool. <paramref name="keywords"/> holds the term statistics; null: fitted on the candidates
    /// themselves. Statistics from a larger set (the corpus, or the last months) weigh rare terms more reliably.
    /// </summary>
    public static CandidatePool Build(IReadOnlyList<RecommendPaper> candidates, KeywordSpace? keywords = null, RecommenderSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        settings ??= RecommenderSettings.Default;
        keywords ??= KeywordSpace.Fit(candidates.Select(c => c.Text).ToList(), settings.Keywords);
        var text = new SparseVector[candidates.Count];
        Parallel.For(0, text.Length, i => text[i] = keywords.Vectorize(candidates[i].Text));
        return new CandidatePool(candidates, keywords, text, settings);
    }

    /// <summary>
    /// Adds the keyword cosines of every candidate to each of <paramref name="papers"/> into <paramref name="sims"/>,
    /// laid out candidate-major (<c>sims[c * papers.Count + p]</c>).
    /// </summary>
    internal void KeywordSimilarities(IReadOnlyList<SparseVector> papers, float[] sims)
    {
        var stride = papers.Count;
        for (var p = 0; p < stride; p++)
        {
            var v = papers[p];
            for (var i = 0; i < v.Count; i++)
            {
                if (!_postings.TryGetValue(v.Indices[i], out var post))
                    continue;
                var w = v.Values[i];
                var docs = post.Docs;
                var weights = post.Weights;
                for (var j = 0; j < docs.Length; j++)
                    sims[docs[j] * stride + p] += w * weights[j];
            }
        }
    }
}
