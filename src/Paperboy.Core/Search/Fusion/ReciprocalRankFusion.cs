namespace Paperboy.Core.Search.Fusion;

/// <summary>One list's say about a hit: its rank there (1-based) and that list's own score.</summary>
public sealed record ListContribution(string List, int Rank, float Score, double Share);

public sealed record FusedHit(string Id, double Score, IReadOnlyList<ListContribution> Explain);

/// <summary>
/// Reciprocal rank fusion (Cormack et al. 2009): score(d) = Σ weight_l / (k + rank_l(d)). Ranks, not raw scores, so
/// BM25 and cosine need no calibration. k dampens the head; weights let one list count more.
/// </summary>
public sealed class ReciprocalRankFusion(double k = 60, IReadOnlyDictionary<string, double>? weights = null)
{
    public double K => k;

    public IReadOnlyList<FusedHit> Fuse(IReadOnlyDictionary<string, IReadOnlyList<(string Id, float Score)>> lists)
    {
        var acc = new Dictionary<string, (double Score, List<ListContribution> Parts)>(StringComparer.Ordinal);
        foreach (var (name, hits) in lists)
        {
            var weight = weights is not null && weights.TryGetValue(name, out var w) ? w : 1.0;
            for (var i = 0; i < hits.Count; i++)
            {
                var share = weight / (k + i + 1);
                if (!acc.TryGetValue(hits[i].Id, out var entry))
                    entry = (0, []);
                entry.Parts.Add(new ListContribution(name, i + 1, hits[i].Score, share));
                acc[hits[i].Id] = (entry.Score + share, entry.Parts);
            }
        }
        return acc.Select(kv => new FusedHit(kv.Key, kv.Value.Score, kv.Value.Parts))
            .OrderByDescending(h => h.Score).ThenBy(h => h.Explain.Min(p => p.Rank)).ThenBy(h => h.Id, StringComparer.Ordinal)
            .ToList();
    }
}
