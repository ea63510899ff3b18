namespace Paperboy.Core.Search.Evaluation;

/// <summary>
/// Ranking metrics over one query: <c>ranked</c> is the system's list, best first; <c>relevant</c> holds the judged
/// documents with their grades (a grade of 0 or less counts as not relevant). A document ranked twice counts once,
/// at its first place.
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>
    /// nDCG@k with graded gains (2^rel − 1) / log2(i + 2) for 0-based rank i, normalized by the DCG of the judged
    /// documents in their ideal order. 0 when nothing is relevant.
    /// </summary>
    public static double NdcgAt(int k, IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> relevant)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(relevant);
        if (k <= 0)
            return 0;
        var ideal = relevant.Values.Where(g => g > 0).OrderDescending().Take(k).Select((g, i) => Gain(g, i)).Sum();
        if (ideal <= 0)
            return 0;
        var dcg = 0.0;
        var i = 0;
        foreach (var id in Distinct(ranked).Take(k))
        {
            if (relevant.TryGetValue(id, out var grade) && grade > 0)
                dcg += Gain(grade, i);
            i++;
        }
        return dcg / ideal;
    }

    /// <summary>Recall@k: the share of the relevant documents found in the first k. 0 when nothing is relevant.</summary>
    public static double RecallAt(int k, IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> relevant)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(relevant);
        var total = relevant.Values.Count(g => g > 0);
        if (total == 0 || k <= 0)
            return 0;
        var found = Distinct(ranked).Take(k).Count(id => relevant.TryGetValue(id, out var grade) && grade > 0);
        return (double)found / total;
    }

    /// <summary>Reciprocal rank: 1 / the 1-based rank of the first relevant document; 0 when none is ranked.</summary>
    public static double ReciprocalRank(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> relevant)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(relevant);
        var i = 0;
        foreach (var id in Distinct(ranked))
        {
            i++;
            if (relevant.TryGetValue(id, out var grade) && grade > 0)
                return 1.0 / i;
        }
        return 0;
    }

    private static double Gain(int grade, int rank) => (Math.Pow(2, grade) - 1) / Math.Log2(rank + 2);

    private static IEnumerable<string> Distinct(IReadOnlyList<string> ranked)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ranked)
        {
            if (seen.Add(id))
                yield return id;
        }
    }
}
