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

    /// <summary>tf becomes 1 + ln(tf) (when <see cref="Bm25K1"/> is null).</summary>
    public bool SublinearTf { get; init; } = true;

    /// <summary>
    /// BM25's term frequency: tf · (k1 + 1) / (tf + k1 · (1 − b + b · length / average length)), so a term repeated
    /// in a long abstract counts for less than in a short one. Null: <see cref="SublinearTf"/> instead. In `eval
    /// recommend` it beat 1 + ln tf on every seed.
    /// </summary>
    public double? Bm25K1 { get; init; } = 0.5;

    public double Bm25B { get; init; } = 1.0;

    /// <summary>
    /// The power idf is raised to: above 1 a rare shared term counts for more against common ones than tf-idf says
    /// (an author's own phrases are rare; the field's vocabulary is common).
    /// </summary>
    public double IdfPower { get; init; } = 2.0;
}

/// <summary>
/// Keyword features: every word and bigram of a document set that occurs in at least <see cref="KeywordSettings.MinDf"/>
/// of its documents, with its idf ((ln((1 + n) / (1 + df)) + 1) to the power <see cref="KeywordSettings.IdfPower"/>).
/// A text becomes BM25's tf (or 1 + ln tf) · idf per term, at unit length, so the dot product of two texts is their
/// cosine. No vocabulary cap and no upper document-frequency cut: the rare shared phrase is the best evidence there is. Terms are keyed by a 64-bit hash of their text, so the space
/// holds no strings (the corpus' 900,000 terms take about 20 MB).
/// </summary>
public sealed class KeywordSpace
{
    private readonly Dictionary<ulong, int> _ids;
    private readonly float[] _idf;

    private readonly double _averageLength;

    private readonly Lazy<Dictionary<int, (int[] Docs, float[] Weights)>> _referencePostings;

    private KeywordSpace(Dictionary<ulong, int> ids, float[] idf, int documents, double averageLength, KeywordSettings settings)
    {
        (_ids, _idf, Documents, _averageLength, Settings) = (ids, idf, documents, averageLength, settings);
        _referencePostings = new(() => SparseVector.Postings(Reference));
    }

    /// <summary>How many documents <see cref="Reference"/> samples.</summary>
    public const int ReferenceSize = 3_000;

    public KeywordSettings Settings { get; }

    /// <summary>A uniform sample of the statistics' documents, as vectors: what "near everything" is measured against (<see cref="CandidatePool"/>'s hubness).</summary>
    public IReadOnlyList<SparseVector> Reference { get; private set; } = [];

    /// <summary>The inverted index of <see cref="Reference"/>, made on first use.</summary>
    internal Dictionary<int, (int[] Docs, float[] Weights)> ReferencePostings => _referencePostings.Value;

    /// <summary>How many documents the statistics came from.</summary>
    public int Documents { get; }

    public int TermCount => _idf.Length;

    public float Idf(int term) => _idf[term];

    /// <summary>Counts document frequencies over <paramref name="documents"/> (in parallel; the result does not depend on it).</summary>
    public static KeywordSpace Fit(IReadOnlyList<string> documents, KeywordSettings? settings = null, Func<int, bool>? inReference = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var builder = new Builder(settings ?? new KeywordSettings());
        builder.Add(documents, inReference);
        return builder.Build();
    }

    /// <summary>Counts document frequencies a block of documents at a time (a corpus read page by page), then makes the space.</summary>
    public sealed class Builder(KeywordSettings settings)
    {
        // The counts in shards by hash, each merged by its own thread: one table of millions of terms, filled by one
        // thread, was the fit's slowest part (a cache miss per term).
        private const int Shards = 4;
        private readonly Dictionary<ulong, (int Df, long Cf)>[] _counts = [.. Enumerable.Range(0, Shards).Select(_ => new Dictionary<ulong, (int Df, long Cf)>())];
        private readonly List<string> _reference = [];
        private readonly Random _sampling = new(17);
        private int _documents;
        private int _eligible;

        public KeywordSettings Settings => settings;

        /// <param name="inReference">Which documents may be drawn into <see cref="Reference"/> (null: all). Leave out
        /// the papers recommendations are drawn from: two new papers of one group resemble each other, and neither
        /// is a hub for it.</param>
        public void Add(IReadOnlyList<string> documents, Func<int, bool>? inReference = null)
        {
            ArgumentNullException.ThrowIfNull(documents);
            const int Block = 2_048;
            var terms = new (ulong Term, int Count)[Math.Min(Block, documents.Count)][];
            for (var start = 0; start < documents.Count; start += Block)
            {
                var count = Math.Min(Block, documents.Count - start);
                Parallel.For(0, count, i => terms[i] = TermCounts(documents[start + i], settings));
                Parallel.For(0, Shards, shard =>
                {
                    var counts = _counts[shard];
                    for (var i = 0; i < count; i++)
                    {
                        foreach (var (t, c) in terms[i])
                        {
                            if ((int)(t % Shards) != shard)
                                continue;
                            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, t, out _);
                            entry = (entry.Df + 1, entry.Cf + c);
                        }
                    }
                });
            }
            // A uniform sample of the documents (reservoir sampling, seeded: the same documents in the same order give the same sample).
            _documents += documents.Count;
            for (var i = 0; i < documents.Count; i++)
            {
                if (inReference is not null && !inReference(i))
                    continue;
                _eligible++;
                if (_reference.Count < ReferenceSize)
                    _reference.Add(documents[i]);
                else if (_sampling.Next(_eligible) is var slot && slot < ReferenceSize)
                    _reference[slot] = documents[i];
            }
        }

        public KeywordSpace Build()
        {
            var kept = _counts.SelectMany(shard => shard).Where(kv => kv.Value.Df >= settings.MinDf).OrderBy(kv => kv.Key).ToList();
            var ids = new Dictionary<ulong, int>(kept.Count);
            var idf = new float[kept.Count];
            var n = _documents;
            long occurrences = 0;
            for (var i = 0; i < kept.Count; i++)
            {
                ids[kept[i].Key] = i;
                idf[i] = (float)Math.Pow(Math.Log((1.0 + n) / (1.0 + kept[i].Value.Df)) + 1.0, settings.IdfPower);
                occurrences += kept[i].Value.Cf;
            }
            // A document's length for BM25 counts its occurrences of the space's terms.
            var space = new KeywordSpace(ids, idf, n, n == 0 ? 1 : Math.Max(1.0, (double)occurrences / n), settings);
            space.Reference = [.. _reference.Select(space.Vectorize)];
            return space;
        }
    }

    /// <summary>The text's feature vector (unit length; empty when it shares no term with the space).</summary>
    public SparseVector Vectorize(string text)
    {
        var counts = new Dictionary<int, int>();
        foreach (var hash in Hashes(KeywordAnalyzer.Tokens(text, Settings.Analysis), Settings.Bigrams))
        {
            if (_ids.TryGetValue(hash, out var id))
                counts[id] = counts.GetValueOrDefault(id) + 1;
        }
        var length = 0;
        foreach (var c in counts.Values)
            length += c;
        var weights = new Dictionary<int, float>(counts.Count);
        foreach (var (id, c) in counts)
            weights[id] = (float)(Tf(c, length) * _idf[id]);
        return SparseVector.FromPairs(weights).Normalized();
    }

    private double Tf(int count, int length)
    {
        if (Settings.Bm25K1 is { } k1)
            return count * (k1 + 1) / (count + k1 * (1 - Settings.Bm25B + Settings.Bm25B * length / _averageLength));
        return Settings.SublinearTf ? 1 + Math.Log(count) : count;
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

    private static (ulong Term, int Count)[] TermCounts(string text, KeywordSettings settings)
    {
        var counts = new Dictionary<ulong, int>();
        foreach (var hash in Hashes(KeywordAnalyzer.Tokens(text, settings.Analysis), settings.Bigrams))
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, hash, out _)++;
        var result = new (ulong, int)[counts.Count];
        var i = 0;
        foreach (var (hash, count) in counts)
            result[i++] = (hash, count);
        return result;
    }

    /// <summary>The terms' hashes alone, as <see cref="Terms"/> gives them, without making the bigrams' strings.</summary>
    private static IEnumerable<ulong> Hashes(List<KeywordToken> tokens, bool bigrams)
    {
        foreach (var t in tokens)
            yield return Hash(t.Term, null);
        if (!bigrams)
            yield break;
        for (var i = 0; i + 1 < tokens.Count; i++)
            yield return Hash(tokens[i].Term, tokens[i + 1].Term);
    }

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
