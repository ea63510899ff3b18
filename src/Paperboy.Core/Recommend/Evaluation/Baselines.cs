using Paperboy.Core.Recommend.Text;

namespace Paperboy.Core.Recommend.Evaluation;

/// <summary>Every candidate in a seeded random order, a different one per member.</summary>
public sealed class RandomSystem(EvalSetup setup, int seed) : IRecommendSystem
{
    public string Name => "random";

    public double[] Score(SimulatedMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var rng = new Random(unchecked(seed * 1_000_003 + member.Number));
        var scores = new double[setup.Candidates.Count];
        for (var i = 0; i < scores.Length; i++)
            scores[i] = rng.NextDouble();
        return scores;
    }
}

/// <summary>
/// What a reader of arXiv's new lists does: the candidates in the member's categories (those of their positives),
/// those whose primary category is one of them first, then those cross-listed into one, then the rest; each group
/// newest first (by announcement day, then by id: arXiv numbers papers in submission order).
/// </summary>
public sealed class CategoryNewestSystem : IRecommendSystem
{
    private readonly EvalSetup _setup;
    private readonly int[] _recency;

    public CategoryNewestSystem(EvalSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _setup = setup;
        var papers = setup.CandidatePapers;
        var newestFirst = Enumerable.Range(0, papers.Count)
            .OrderByDescending(i => papers[i].Announced).ThenByDescending(i => papers[i].Id, StringComparer.Ordinal).ToList();
        _recency = new int[papers.Count];
        for (var r = 0; r < newestFirst.Count; r++)
            _recency[newestFirst[r]] = papers.Count - r;
    }

    public string Name => "category-newest";

    public double[] Score(SimulatedMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var categories = member.Positives.SelectMany(i => _setup.Corpus.Papers[i].Categories).ToHashSet(StringComparer.Ordinal);
        var papers = _setup.CandidatePapers;
        var scores = new double[papers.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            var tier = papers[i].PrimaryCategory is { } primary && categories.Contains(primary) ? 2
                : papers[i].Categories.Any(categories.Contains) ? 1 : 0;
            scores[i] = (double)tier * papers.Count + _recency[i];
        }
        return scores;
    }
}

/// <summary>
/// arxiv-sanity-lite's recommendations: tf-idf (<see cref="TfidfSettings.ArxivSanityLite"/>) fitted over the corpus
/// (every paper announced before the window's end, as arxiv-sanity fits over every paper it holds), and per member a
/// <see cref="LinearSvc"/> (C 0.01, balanced class weights) with the positives labelled 1 and the candidates 0;
/// the candidates are ranked by its decision function. Title and abstract only: arxiv-sanity-lite also puts the
/// author names into the text, which this evaluation forbids.
/// </summary>
public sealed class TfidfSvmSystem : IRecommendSystem
{
    private readonly TfidfVectorizer _tfidf;
    private readonly SparseVector[] _candidates;
    private readonly Dictionary<int, SparseVector> _positives;

    public TfidfSvmSystem(EvalSetup setup, IReadOnlyList<SimulatedMember> members)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(members);
        _tfidf = TfidfVectorizer.Fit(setup.Corpus.Papers.Select(Text).ToList(), TfidfSettings.ArxivSanityLite);
        _candidates = new SparseVector[setup.Candidates.Count];
        Parallel.For(0, _candidates.Length, i => _candidates[i] = _tfidf.Transform(Text(setup.CandidatePapers[i])));
        var positives = members.SelectMany(m => m.Positives).Distinct().ToArray();
        var vectors = new SparseVector[positives.Length];
        Parallel.For(0, positives.Length, i => vectors[i] = _tfidf.Transform(Text(setup.Corpus.Papers[positives[i]])));
        _positives = positives.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => vectors[x.i]);
    }

    public string Name => "tfidf-svm";

    public TfidfVectorizer Vectorizer => _tfidf;

    /// <summary>arxiv-sanity-lite's document: title and abstract joined by a space.</summary>
    public static string Text(CorpusPaper paper)
    {
        ArgumentNullException.ThrowIfNull(paper);
        return paper.Title + " " + paper.Abstract;
    }

    public double[] Score(SimulatedMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var rows = new List<SparseVector>(member.Positives.Count + _candidates.Length);
        rows.AddRange(member.Positives.Select(p => _positives[p]));
        rows.AddRange(_candidates);
        var labels = rows.Select((_, i) => i < member.Positives.Count).ToArray();
        var features = new SparseRows(rows, _tfidf.FeatureCount);
        var model = LinearSvc.Train(features, labels, c: 0.01, balanced: true, tolerance: 1e-6, maxIterations: 10_000);
        var scores = new double[_candidates.Length];
        for (var i = 0; i < scores.Length; i++)
            scores[i] = model.Score(features, member.Positives.Count + i);
        return scores;
    }
}
