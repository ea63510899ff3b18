using System.Numerics.Tensors;
using Paperboy.Core.Recommend.Text;

namespace Paperboy.Core.Recommend;

/// <summary>
/// A member's model: their positives and negatives as keyword vectors (in a pool's <see cref="KeywordSpace"/>) and
/// embeddings. Training is only that, a few milliseconds, so a model is made again whenever the member's signals
/// change; it is immutable and can be cached and used from several threads.
/// </summary>
public sealed class MemberModel
{
    private readonly RecommendPaper[] _positives;
    private readonly RecommendPaper[] _negatives;
    private readonly SparseVector[] _positiveText;
    private readonly SparseVector[] _negativeText;

    private MemberModel(RecommendPaper[] positives, RecommendPaper[] negatives, SparseVector[] positiveText, SparseVector[] negativeText, KeywordSpace keywords, RecommenderSettings settings) =>
        (_positives, _negatives, _positiveText, _negativeText, Keywords, Settings) = (positives, negatives, positiveText, negativeText, keywords, settings);

    public KeywordSpace Keywords { get; }

    public RecommenderSettings Settings { get; }

    public int Positives => _positives.Length;

    public static MemberModel Train(MemberSignals signals, KeywordSpace keywords, RecommenderSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(keywords);
        settings ??= RecommenderSettings.Default;
        var positives = signals.Positives.ToArray();
        var negatives = signals.Negatives.ToArray();
        return new MemberModel(positives, negatives,
            [.. positives.Select(p => keywords.Vectorize(p.Text))], [.. negatives.Select(p => keywords.Vectorize(p.Text))], keywords, settings);
    }

    /// <summary>Every candidate's score, in the pool's order (0 for all when the member has no positive).</summary>
    public double[] Score(CandidatePool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        Check(pool);
        var scores = new double[pool.Count];
        if (_positives.Length == 0)
            return scores;
        Accumulate(pool, _positives, _positiveText, scores, 1.0, out _, out _);
        if (_negatives.Length > 0 && Settings.NegativeWeight != 0)
            Accumulate(pool, _negatives, _negativeText, scores, -Settings.NegativeWeight, out _, out _);
        SubtractHubness(pool, scores);
        return scores;
    }

    /// <summary>
    /// The <paramref name="top"/> best candidates, best first, each with its nearest positives and shared terms;
    /// <paramref name="exclude"/> leaves out papers (those the member already saved or dismissed).
    /// </summary>
    public IReadOnlyList<Recommendation> Recommend(CandidatePool pool, int top, Func<RecommendPaper, bool>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        Check(pool);
        if (_positives.Length == 0 || top <= 0)
            return [];
        var scores = new double[pool.Count];
        Accumulate(pool, _positives, _positiveText, scores, 1.0, out var textSims, out var embeddingSims);
        if (_negatives.Length > 0 && Settings.NegativeWeight != 0)
            Accumulate(pool, _negatives, _negativeText, scores, -Settings.NegativeWeight, out _, out _);
        SubtractHubness(pool, scores);
        var best = new PriorityQueue<int, (double Score, int Index)>(Comparer<(double Score, int Index)>.Create((a, b) =>
            a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Index.CompareTo(a.Index)));
        for (var c = 0; c < scores.Length; c++)
        {
            if (exclude is not null && exclude(pool.Papers[c]))
                continue;
            best.Enqueue(c, (scores[c], c));
            if (best.Count > top)
                best.Dequeue();
        }
        var chosen = new List<int>(best.Count);
        while (best.Count > 0)
            chosen.Add(best.Dequeue());
        chosen.Reverse();
        return [.. chosen.Select(c => Explain(pool, c, scores[c], textSims, embeddingSims))];
    }

    private void Check(CandidatePool pool)
    {
        if (!ReferenceEquals(pool.Keywords, Keywords))
            throw new InvalidOperationException("This model was trained in another pool's keyword space; train it again for this pool.");
    }

    /// <summary>Adds sign · (T + w · E) per candidate to <paramref name="scores"/>; hands back the similarity matrices.</summary>
    private void Accumulate(CandidatePool pool, RecommendPaper[] papers, SparseVector[] text, double[] scores, double sign,
        out float[] textSims, out float[]? embeddingSims)
    {
        var n = pool.Count;
        var m = papers.Length;
        var k = Math.Min(Settings.TopK, m);
        textSims = new float[n * m];
        pool.KeywordSimilarities(text, textSims);
        embeddingSims = null;
        var w = Settings.EmbeddingWeight;
        if (w != 0)
        {
            embeddingSims = new float[n * m];
            for (var c = 0; c < n; c++)
            {
                var v = pool.Papers[c].Vector;
                for (var p = 0; p < m; p++)
                    embeddingSims[c * m + p] = TensorPrimitives.Dot<float>(v, papers[p].Vector);
            }
        }
        var buffer = new float[k];
        for (var c = 0; c < n; c++)
        {
            var score = TopMean(textSims.AsSpan(c * m, m), buffer);
            if (embeddingSims is not null)
                score += w * TopMean(embeddingSims.AsSpan(c * m, m), buffer);
            scores[c] += sign * score;
        }
    }

    private void SubtractHubness(CandidatePool pool, double[] scores)
    {
        var w = Settings.HubWeight;
        if (w == 0)
            return;
        for (var c = 0; c < scores.Length; c++)
            scores[c] -= w * pool.Hubness[c];
    }

    /// <summary>The mean of the largest buffer.Length values.</summary>
    internal static double TopMean(ReadOnlySpan<float> values, float[] buffer)
    {
        var k = buffer.Length;
        var filled = 0;
        foreach (var v in values)
        {
            if (filled < k)
            {
                var i = filled++;
                while (i > 0 && buffer[i - 1] < v)
                {
                    buffer[i] = buffer[i - 1];
                    i--;
                }
                buffer[i] = v;
            }
            else if (v > buffer[k - 1])
            {
                var i = k - 1;
                while (i > 0 && buffer[i - 1] < v)
                {
                    buffer[i] = buffer[i - 1];
                    i--;
                }
                buffer[i] = v;
            }
        }
        var sum = 0.0;
        for (var i = 0; i < filled; i++)
            sum += buffer[i];
        return filled == 0 ? 0 : sum / filled;
    }

    private Recommendation Explain(CandidatePool pool, int c, double score, float[] textSims, float[]? embeddingSims)
    {
        var m = _positives.Length;
        var candidate = pool.Papers[c];
        var w = Settings.EmbeddingWeight;
        var near = Enumerable.Range(0, m)
            .Select(p => (p, Text: (double)textSims[c * m + p], Embedding: embeddingSims?[c * m + p] ?? TensorPrimitives.Dot<float>(candidate.Vector, _positives[p].Vector)))
            .OrderByDescending(x => x.Text + w * x.Embedding).ThenBy(x => x.p)
            .Take(Settings.ExplainPositives)
            .ToList();
        // A term's weight in the candidate times its largest weight among the nearest positives.
        var inPositives = new Dictionary<int, float>();
        foreach (var (p, _, _) in near)
        {
            var v = _positiveText[p];
            for (var i = 0; i < v.Count; i++)
                inPositives[v.Indices[i]] = Math.Max(inPositives.GetValueOrDefault(v.Indices[i]), v.Values[i]);
        }
        var own = pool.Text[c];
        var weight = new Dictionary<int, float>();
        for (var i = 0; i < own.Count; i++)
        {
            if (inPositives.TryGetValue(own.Indices[i], out var pw))
                weight[own.Indices[i]] = own.Values[i] * pw;
        }
        var terms = new List<string>();
        foreach (var (_, surface) in pool.Keywords.Surfaces(candidate.Text).Where(t => weight.ContainsKey(t.Term)).OrderByDescending(t => weight[t.Term]))
        {
            // A phrase says more than its words: a word inside a chosen phrase (or a phrase holding a chosen word) adds nothing.
            if (terms.Any(t => t.Contains(surface, StringComparison.OrdinalIgnoreCase) || surface.Contains(t, StringComparison.OrdinalIgnoreCase)))
                continue;
            terms.Add(surface);
            if (terms.Count == Settings.ExplainTerms)
                break;
        }
        return new Recommendation(candidate, score,
            [.. near.Select(x => new NearPositive(_positives[x.p].Id, Math.Round(x.Text, 4), Math.Round(x.Embedding, 4)))], terms);
    }
}
