using System.Diagnostics;
using Paperboy.Core.Search.Evaluation;

namespace Paperboy.Core.Recommend.Evaluation;

/// <summary>What every system under evaluation sees: the corpus, the window's candidates, and the papers' vectors.</summary>
public sealed record EvalSetup(EvalCorpus Corpus, DateOnly Split, DateOnly Until, IReadOnlyList<int> Candidates, IReadOnlyDictionary<int, float[]> Vectors)
{
    public IReadOnlyList<CorpusPaper> CandidatePapers { get; } = Candidates.Select(i => Corpus.Papers[i]).ToList();
}

/// <summary>A ranker under evaluation: for a member, a score per candidate (in <see cref="EvalSetup.Candidates"/>' order), higher first.</summary>
public interface IRecommendSystem
{
    string Name { get; }

    double[] Score(SimulatedMember member);
}

public sealed record SystemScore(string Name, double NdcgAt10, double RecallAt50, double Mrr, TimeSpan Prepare, TimeSpan Rank);

/// <summary>
/// Ranks the window's candidates for each simulated member with each system and averages nDCG@10 (binary gains),
/// recall@50 and MRR over the members. Ties are broken by candidate order (paper id), so a run is deterministic.
/// </summary>
public static class RecommendEvaluator
{
    public static SystemScore Evaluate(EvalSetup setup, IReadOnlyList<SimulatedMember> members, string name, Func<IRecommendSystem> prepare, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(prepare);
        var sw = Stopwatch.StartNew();
        var system = prepare();
        var prepared = sw.Elapsed;
        var ndcg = new double[members.Count];
        var recall = new double[members.Count];
        var mrr = new double[members.Count];
        Parallel.For(0, members.Count, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount }, m =>
        {
            var member = members[m];
            var ranked = Ranked(setup, system.Score(member));
            var relevant = member.Targets.ToDictionary(i => setup.Corpus.Papers[i].Id, _ => 1, StringComparer.Ordinal);
            ndcg[m] = RetrievalMetrics.NdcgAt(10, ranked, relevant);
            recall[m] = RetrievalMetrics.RecallAt(50, ranked, relevant);
            mrr[m] = RetrievalMetrics.ReciprocalRank(ranked, relevant);
        });
        // Summed in member order, so the averages do not depend on the threads' timing.
        return new SystemScore(name, Mean(ndcg), Mean(recall), Mean(mrr), prepared, sw.Elapsed - prepared);
    }

    /// <summary>The candidates' ids, best first.</summary>
    public static IReadOnlyList<string> Ranked(EvalSetup setup, double[] scores)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Length != setup.Candidates.Count)
            throw new InvalidOperationException($"{scores.Length} scores for {setup.Candidates.Count} candidates");
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
            order[i] = i;
        Array.Sort(order, (a, b) => scores[b].CompareTo(scores[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order.Select(i => setup.CandidatePapers[i].Id).ToList();
    }

    private static double Mean(double[] values) => values.Length == 0 ? 0 : values.Sum() / values.Length;
}
