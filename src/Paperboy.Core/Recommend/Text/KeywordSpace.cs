namespace Paperboy.Core.Recommend.Text;

/// <summary>How <see cref="KeywordSpace"/> weighs terms.</summary>
public sealed record KeywordSettings
{
    /// <summary>scikit-learn's words by default: in `eval recommend` they beat Porter stems (stems merge too much).</summary>
    public KeywordAnalysis Analysis { get; init; } = KeywordAnalysis.Words;

    /// <summary>Pairs of neighbouring words (stop words removed first) beside the words.</summary>
    public bool Bigrams { get; init; } = true;

    /// <summary>Terms in fewer documents of the statistics than this are left out: a term seen once cannot be shared.</summary>
    public int MinDf { get; init; } = 2;

    /// <summary>tf becomes 1 + ln(tf).</summary>
    public bool SublinearTf { get; init; } = true;

    /// <summary>
    /// The power idf is raised to: above 1 a rare shared term counts for more against common ones than tf-idf says
    /// (an author's own phrases are rare; the field's vocabulary is common).
    /// </summary>
    public double IdfPower { get; init; } = 2.0;
}

/// <summary>
/// Keyword features: every word and bigram of a document set that occurs in at least <see cref="KeywordSettings.MinDf"/>
/// of its documents, with its idf ((ln((1 + n) / (1 + df)) + 1) to the power <see cref="KeywordSettings.IdfPower"/>).
/// A text becomes (1 + ln tf) · idf per term, at unit
/// length, so the dot product of two texts is their cosine. No vocabulary cap and no upper document-frequency cut:
/// the rare shared phrase is the best evidence there is. Terms are keyed by a 64-bit hash of their text, so the space
/// holds no strings (the corpus' 900,000 terms take about 20 MB).
/// </summary>
public sealed class KeywordSpace
{
    private readonly Dictionary<ulong, int> _ids;
    private readonly float[] _idf;

    private KeywordSpace(Dictionary<ulong, int> ids, float[] idf, int documents, KeywordSettings settings) =>
        (_ids, _idf, Documents, Settings) = (ids, idf, documents, settings);

    public KeywordSettings Settings { get; }

    /// <summary>How many documents the statistics came from.</summary>
    public int Documents { get; }

    public int TermCount => _idf.Length;

    public float Idf(int term) => _idf[term];

    /// <summary>Counts document frequencies over <paramref name="documents"/> (in parallel; the result does not depend on it).</summary>
    public static KeywordSpace Fit(IReadOnlyList<string> documents, KeywordSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var builder = new Builder(settings ?? new KeywordSettings());
        builder.Add(documents);
        return builder.Build();
    }

    /// <summary>Counts document frequencies a block of documents at a time (a corpus read page by page), then makes the space.</summary>
    public sealed class Builder(KeywordSettings settings)
    {
        private readonly Dictionary<ulong, int> _df = [];
        private int _documents;

        public KeywordSettings Settings => settings;

        public void Add(IReadOnlyList<string> documents)
        {
            ArgumentNullException.ThrowIfNull(documents);
            const int Block = 2_048;
            var terms = new ulong[Math.Min(Block, documents.Count)][];
            for (var start = 0; start < documents.Count; start += Block)
            {
                var count = Math.Min(Block, documents.Count - start);
                Parallel.For(0, count, i => terms[i] = DistinctTerms(documents[start + i], settings));
                for (var i = 0; i < count; i++)
                {
                    foreach (var t in terms[i])
                        _df[t] = _df.GetValueOrDefault(t) + 1;
                }
            }
            _documents += documents.Count;
        }

        public KeywordSpace Build()
        {
            var kept = _df.Where(kv => kv.Value >= settings.MinDf).OrderBy(kv => kv.Key).ToList();
            var ids = new Dictionary<ulong, int>(kept.Count);
            var idf = new float[kept.Count];
            var n = _documents;
            for (var i = 0; i < kept.Count; i++)
            {
                ids[kept[i].Key] = i;
                idf[i] = (float)Math.Pow(Math.Log((1.0 + n) / (1.0 + kept[i].Value)) + 1.0, settings.IdfPower);
            }
            return new KeywordSpace(ids, idf, n, settings);
        }
    }

    /// <summary>The text's feature vector (unit length; empty when it shares no term with the space).</summary>
    public SparseVector Vectorize(string text)
    {
        var counts = new Dictionary<int, int>();
        foreach (var (hash, _) in Terms(KeywordAnalyzer.Tokens(text, Settings.Analysis), Settings.Bigrams))
        {
            if (_ids.TryGetValue(hash, out var id))
                counts[id] = counts.GetValueOrDefault(id) + 1;
        }
        var weights = new Dictionary<int, float>(counts.Count);
        foreach (var (id, c) in counts)
            weights[id] = (float)((Settings.SublinearTf ? 1 + Math.Log(c) : c) * _idf[id]);
        return SparseVector.FromPairs(weights).Normalized();
    }

    /// <summary>
    /// The terms of a text that are features, each once, with their words as the text writes them (a bigram: from its
    /// first word's start to its second's end) where the analysis keeps positions.
    /// </summary>
    public IEnumerable<(int Term, string Surface)> Surfaces(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var seen = new HashSet<int>();
        foreach (var (hash, span) in Terms(KeywordAnalyzer.Tokens(text, Settings.Analysis), Settings.Bigrams))
        {
            if (_ids.TryGetValue(hash, out var id) && seen.Add(id))
                yield return (id, span.Start >= 0 ? text[span.Start..span.End] : span.Term);
        }
    }

    private static ulong[] DistinctTerms(string text, KeywordSettings settings) =>
        [.. Terms(KeywordAnalyzer.Tokens(text, settings.Analysis), settings.Bigrams).Select(t => t.Hash).Distinct()];

    private static IEnumerable<(ulong Hash, KeywordToken Span)> Terms(List<KeywordToken> tokens, bool bigrams)
    {
        foreach (var t in tokens)
            yield return (Hash(t.Term, null), t);
        if (!bigrams)
            yield break;
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            var (a, b) = (tokens[i], tokens[i + 1]);
            yield return (Hash(a.Term, b.Term), new KeywordToken(a.Term + " " + b.Term, a.Start, b.End));
        }
    }

    /// <summary>FNV-1a, 64 bits, over a word or "word word".</summary>
    private static ulong Hash(string first, string? second)
    {
        var h = 14695981039346656037UL;
        foreach (var c in first)
            h = (h ^ c) * 1099511628211UL;
        if (second is not null)
        {
            h = (h ^ ' ') * 1099511628211UL;
            foreach (var c in second)
                h = (h ^ c) * 1099511628211UL;
        }
        return h;
    }
}
