namespace Paperboy.Core.Recommend.Text;

/// <summary>
/// The settings of scikit-learn's <c>TfidfVectorizer</c> that matter here. The defaults are arxiv-sanity-lite's
/// (<c>compute.py</c>): word unigrams and bigrams, the 20,000 most frequent terms among those in at least 5 documents
/// and at most 10 % of them, sublinear tf, smoothed idf, l2 norm.
/// </summary>
public sealed record TfidfSettings
{
    /// <summary>A term in fewer documents than this is dropped (scikit-learn's integer <c>min_df</c>).</summary>
    public int MinDf { get; init; } = 5;

    /// <summary>A term in more than this share of the documents is dropped (scikit-learn's float <c>max_df</c>).</summary>
    public double MaxDf { get; init; } = 0.1;

    /// <summary>Keep at most this many terms, the most frequent (total count over the documents); null: all.</summary>
    public int? MaxFeatures { get; init; } = 20_000;

    /// <summary>Word bigrams beside the words (<c>ngram_range=(1, 2)</c>).</summary>
    public bool Bigrams { get; init; } = true;

    /// <summary>tf becomes 1 + ln(tf).</summary>
    public bool SublinearTf { get; init; } = true;

    public static TfidfSettings ArxivSanityLite { get; } = new();
}

/// <summary>
/// scikit-learn's <c>TfidfVectorizer</c> (word analyzer, <see cref="SklearnTokenizer"/>'s words): fitted on a set of
/// documents, it keeps the terms <see cref="TfidfSettings"/> allows, in ordinal order, with
/// idf = ln((1 + n) / (1 + df)) + 1; a document becomes (1 + ln tf) · idf per term, scaled to unit length.
/// </summary>
public sealed class TfidfVectorizer
{
    private readonly Dictionary<string, int> _words;        // every word seen while fitting -> word id
    private readonly Dictionary<long, int> _features;       // (word id, second word id or -1) -> feature index
    private readonly string[] _names;
    private readonly float[] _idf;
    private readonly TfidfSettings _settings;

    private TfidfVectorizer(Dictionary<string, int> words, Dictionary<long, int> features, string[] names, float[] idf, TfidfSettings settings) =>
        (_words, _features, _names, _idf, _settings) = (words, features, names, idf, settings);

    public int FeatureCount => _names.Length;

    /// <summary>The term of a feature: a word, or two words joined by a space.</summary>
    public string Feature(int index) => _names[index];

    public float Idf(int index) => _idf[index];

    /// <summary>The feature index of a term (a word or "word word"); -1 when it is not in the vocabulary.</summary>
    public int IndexOf(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var parts = term.Split(' ');
        if (parts.Length > 2 || !_words.TryGetValue(parts[0], out var a))
            return -1;
        var b = -1;
        if (parts.Length == 2 && !_words.TryGetValue(parts[1], out b))
            return -1;
        return _features.TryGetValue(Key(a, b), out var f) ? f : -1;
    }

    public static TfidfVectorizer Fit(IReadOnlyList<string> documents, TfidfSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        settings ??= TfidfSettings.ArxivSanityLite;
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        var terms = new Dictionary<long, int>(MixedKeys.Instance); // term key -> term id
        var df = new List<int>();
        var tf = new List<long>();
        var lastDoc = new List<int>();
        var ids = new List<int>();
        for (var d = 0; d < documents.Count; d++)
        {
            ids.Clear();
            foreach (var w in SklearnTokenizer.Words(documents[d]))
            {
                if (!words.TryGetValue(w, out var id))
                    words[w] = id = words.Count;
                ids.Add(id);
            }
            foreach (var key in Keys(ids, settings.Bigrams))
            {
                if (!terms.TryGetValue(key, out var t))
                {
                    terms[key] = t = df.Count;
                    df.Add(0);
                    tf.Add(0);
                    lastDoc.Add(-1);
                }
                tf[t]++;
                if (lastDoc[t] != d)
                {
                    lastDoc[t] = d;
                    df[t]++;
                }
            }
        }

        var n = documents.Count;
        var high = settings.MaxDf * n;
        var wordNames = new string[words.Count];
        foreach (var (w, id) in words)
            wordNames[id] = w;
        string Name(long key)
        {
            var second = (int)(key & 0xFFFFFFFF);
            var first = wordNames[(int)(key >> 32)];
            return second == int.MaxValue ? first : first + " " + wordNames[second];
        }
        var kept = terms.Where(kv => df[kv.Value] >= settings.MinDf && df[kv.Value] <= high)
            .Select(kv => (Key: kv.Key, Name: Name(kv.Key), Df: df[kv.Value], Tf: tf[kv.Value]))
            .ToList();
        if (settings.MaxFeatures is { } max && kept.Count > max)
        {
            // The most frequent by total count; scikit-learn breaks ties arbitrarily, this by term, ordinally.
            kept = kept.OrderByDescending(k => k.Tf).ThenBy(k => k.Name, StringComparer.Ordinal).Take(max).ToList();
        }
        kept.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name));
        var features = new Dictionary<long, int>(kept.Count, MixedKeys.Instance);
        var names = new string[kept.Count];
        var idf = new float[kept.Count];
        for (var i = 0; i < kept.Count; i++)
        {
            features[kept[i].Key] = i;
            names[i] = kept[i].Name;
            idf[i] = (float)(Math.Log((1.0 + n) / (1.0 + kept[i].Df)) + 1.0);
        }
        return new TfidfVectorizer(words, features, names, idf, settings);
    }

    /// <summary>The document's tf-idf vector, unit length (empty when it has none of the terms).</summary>
    public SparseVector Transform(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var ids = new List<int>();
        foreach (var w in SklearnTokenizer.Words(document))
            ids.Add(_words.TryGetValue(w, out var id) ? id : -1);
        var counts = new Dictionary<int, int>();
        foreach (var key in Keys(ids, _settings.Bigrams))
        {
            if (_features.TryGetValue(key, out var f))
                counts[f] = counts.GetValueOrDefault(f) + 1;
        }
        var weights = new Dictionary<int, float>(counts.Count);
        foreach (var (f, c) in counts)
            weights[f] = (float)((_settings.SublinearTf ? 1 + Math.Log(c) : c) * _idf[f]);
        return SparseVector.FromPairs(weights).Normalized();
    }

    /// <summary>
    /// long's own hash is the xor of its halves, so the bigrams (a, b) and (b, a), and every pair with the same xor,
    /// would share a bucket: millions of bigrams in a few hundred thousand buckets. Fibonacci hashing mixes them.
    /// </summary>
    internal sealed class MixedKeys : IEqualityComparer<long>
    {
        public static MixedKeys Instance { get; } = new();

        public bool Equals(long x, long y) => x == y;

        public int GetHashCode(long key) => (int)((ulong)key * 0x9E3779B97F4A7C15UL >> 32);
    }

    // A word is (id, int.MaxValue); a bigram (first id, second id). Unknown words (-1) make no key.
    private static long Key(int a, int b) => ((long)a << 32) | (uint)(b < 0 ? int.MaxValue : b);

    private static IEnumerable<long> Keys(List<int> ids, bool bigrams)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] >= 0)
                yield return Key(ids[i], -1);
        }
        if (!bigrams)
            yield break;
        for (var i = 0; i + 1 < ids.Count; i++)
        {
            if (ids[i] >= 0 && ids[i + 1] >= 0)
                yield return Key(ids[i], ids[i + 1]);
        }
    }
}
