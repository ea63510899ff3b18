using System.Diagnostics;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;

namespace Paperboy.Core.Recommend.Evaluation;

public sealed record RecommendEvalOptions(DateOnly Split, int Days = 31, int Members = 500, int Seed = 1)
{
    public DateOnly Until => Split.AddDays(Days);
}

/// <summary>
/// A system to evaluate, made once per run from the setup and the members (its preparation is timed);
/// <paramref name="UsesVectors"/>: it reads the papers' embeddings (only then are missing ones made).
/// </summary>
public sealed record SystemFactory(string Name, Func<EvalSetup, IReadOnlyList<SimulatedMember>, IRecommendSystem> Create, bool UsesVectors = false);

public sealed record RecommendEvalReport(int Members, int Qualifying, int Candidates, int Positives, int EmbeddingsReused, int Embedded,
    IReadOnlyList<SystemScore> Systems, IReadOnlyList<(string Phase, TimeSpan Time)> Phases);

/// <summary>
/// <c>paperboy eval recommend</c>: simulated members (<see cref="SimulatedMembers"/>) over the papers of a data
/// directory, the window's papers as candidates, and each system's ranking scored against the members' own papers
/// in the window. When a system uses embeddings, the papers it needs that have none (the members' positives and the
/// candidates) are embedded and stored; when none does, nothing is embedded.
/// </summary>
public static class RecommendEvaluation
{
    /// <summary>Ours and the three baselines, in the order they are reported.</summary>
    public static IReadOnlyList<SystemFactory> StandardSystems(int seed) =>
    [
        new("ours", (setup, _) => new OursSystem(setup), RecommenderSettings.Default.EmbeddingWeight != 0),
        new("tfidf-svm", (setup, members) => new TfidfSvmSystem(setup, members)),
        new("category-newest", (setup, _) => new CategoryNewestSystem(setup)),
        new("random", (setup, _) => new RandomSystem(setup, seed)),
    ];

    /// <param name="embedder">The model, needed only when a system uses embeddings (a factory that loads it then).</param>
    public static async Task<RecommendEvalReport> RunAsync(IEmbeddingStore store, Func<ITextEmbedder> embedder, RecommendEvalOptions options,
        IReadOnlyList<SystemFactory> systems, Action<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(systems);
        var phases = new List<(string, TimeSpan)>();
        var sw = Stopwatch.StartNew();
        void Phase(string name)
        {
            phases.Add((name, sw.Elapsed));
            sw.Restart();
        }

        progress?.Invoke("reading papers");
        var corpus = await EvalCorpus.LoadAsync(store, options.Until, ct);
        var candidates = corpus.AnnouncedIn(options.Split, options.Until).Select(p => p.Index).ToList();
        if (candidates.Count == 0)
            throw new InvalidOperationException($"No paper was first announced in [{options.Split:yyyy-MM-dd}, {options.Until:yyyy-MM-dd}): nothing to recommend from.");
        var qualifying = SimulatedMembers.Qualifying(corpus, options.Split, options.Until);
        var members = SimulatedMembers.Sample(qualifying, options.Members, options.Seed);
        if (members.Count == 0)
            throw new InvalidOperationException($"No author has {SimulatedMembers.MinPositives} papers before {options.Split:yyyy-MM-dd} and one in the window: no member to simulate.");
        Phase("read papers");

        var positives = members.SelectMany(m => m.Positives).ToHashSet();
        var needed = positives.Concat(candidates).ToHashSet();
        EvalEmbeddings.Result embedded;
        if (systems.Any(s => s.UsesVectors))
        {
            embedded = await EvalEmbeddings.EnsureAsync(store, embedder(), corpus, needed, progress, ct);
            Phase($"embed ({embedded.Embedded:N0} new, {embedded.Stored:N0} stored)");
        }
        else
        {
            embedded = new EvalEmbeddings.Result(new Dictionary<int, float[]>(), 0, 0);
            Phase("embed (none: no system uses embeddings)");
        }

        var setup = new EvalSetup(corpus, options.Split, options.Until, candidates, embedded.Vectors);
        var scores = new List<SystemScore>();
        foreach (var s in systems)
        {
            progress?.Invoke($"ranking with {s.Name}");
            var score = RecommendEvaluator.Evaluate(setup, members, s.Name, () => s.Create(setup, members), ct);
            scores.Add(score);
            Phase(s.Name);
        }
        return new RecommendEvalReport(members.Count, qualifying.Count, candidates.Count, positives.Count, embedded.Stored, embedded.Embedded, scores, phases);
    }
}

/// <summary>
/// Ours, as the evaluation runs it: one <see cref="CandidatePool"/> of the window's papers, and per member a
/// <see cref="MemberModel"/> trained on their positives. The keyword statistics come from the corpus (every paper
/// announced before the window's end), or with <paramref name="poolStatistics"/> from the candidates alone.
/// </summary>
public sealed class OursSystem : IRecommendSystem
{
    private readonly EvalSetup _setup;
    private readonly CandidatePool _pool;
    private readonly RecommenderSettings _settings;

    public OursSystem(EvalSetup setup, RecommenderSettings? settings = null, bool poolStatistics = false, Text.KeywordSpace? keywords = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _setup = setup;
        _settings = settings ?? RecommenderSettings.Default;
        if (keywords is null && !poolStatistics)
            keywords = CorpusKeywords(setup, _settings.Keywords);
        _pool = CandidatePool.Build(setup.CandidatePapers.Select(ToPaper).ToList(), keywords, _settings);
    }

    public string Name => "ours";

    /// <summary>Keyword statistics as the product makes them (<see cref="KeywordStatistics"/>): the papers of the last months up to the window's end.</summary>
    public static Text.KeywordSpace CorpusKeywords(EvalSetup setup, Text.KeywordSettings settings)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var since = setup.Until.AddDays(-1).AddMonths(-KeywordStatistics.Months);
        var papers = setup.Corpus.Papers.Where(p => p.Announced > since).ToList();
        return Text.KeywordSpace.Fit([.. papers.Select(p => RecommendPaper.TextOf(p.Title, p.Abstract))], settings, i => papers[i].Announced < setup.Split);
    }

    public CandidatePool Pool => _pool;

    public RecommendPaper ToPaper(CorpusPaper paper)
    {
        ArgumentNullException.ThrowIfNull(paper);
        return new RecommendPaper(paper.Id, paper.Title, paper.Abstract, paper.Categories, _setup.Vectors.GetValueOrDefault(paper.Index) ?? []);
    }

    public double[] Score(SimulatedMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var signals = MemberSignals.Of([.. member.Positives.Select(i => ToPaper(_setup.Corpus.Papers[i]))]);
        return MemberModel.Train(signals, _pool.Keywords, _settings).Score(_pool);
    }
}
