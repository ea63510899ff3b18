namespace Paperboy.Core.Recommend;

/// <summary>
/// A sparse vector: feature indices in ascending order with their weights. Text features are sparse (a paper has a
/// few hundred of a vocabulary's tens of thousands of terms), so dot products walk only the terms present.
/// </summary>
public readonly record struct SparseVector(int[] Indices, float[] Values)
{
    public static SparseVector Empty { get; } = new([], []);

    public int Count => Indices.Length;

    /// <summary>An inverted index of <paramref name="vectors"/>: for each term, the documents that have it (in order) and their weights.</summary>
    public static Dictionary<int, (int[] Docs, float[] Weights)> Postings(IReadOnlyList<SparseVector> vectors)
    {
        var lists = new Dictionary<int, List<(int Doc, float Weight)>>();
        for (var d = 0; d < vectors.Count; d++)
        {
            var v = vectors[d];
            for (var i = 0; i < v.Count; i++)
            {
                if (!lists.TryGetValue(v.Indices[i], out var list))
                    lists[v.Indices[i]] = list = [];
                list.Add((d, v.Values[i]));
            }
        }
        return lists.ToDictionary(kv => kv.Key, kv => (kv.Value.Select(p => p.Doc).ToArray(), kv.Value.Select(p => p.Weight).ToArray()));
    }

    /// <summary>The dot product with another sparse vector (a merge of the two sorted index lists).</summary>
    public float Dot(SparseVector other)
    {
        var (ai, av, bi, bv) = (Indices, Values, other.Indices, other.Values);
        var sum = 0f;
        int i = 0, j = 0;
        while (i < ai.Length && j < bi.Length)
        {
            var a = ai[i];
            var b = bi[j];
            if (a == b)
                sum += av[i++] * bv[j++];
            else if (a < b)
                i++;
            else
                j++;
        }
        return sum;
    }

    /// <summary>The dot product with a dense vector at least as long as the largest index.</summary>
    public double Dot(ReadOnlySpan<double> dense)
    {
        var sum = 0.0;
        for (var i = 0; i < Indices.Length; i++)
            sum += Values[i] * dense[Indices[i]];
        return sum;
    }

    /// <summary>dense += scale · this.</summary>
    public void AddTo(Span<double> dense, double scale)
    {
        for (var i = 0; i < Indices.Length; i++)
            dense[Indices[i]] += scale * Values[i];
    }

    public double SquaredNorm()
    {
        var sum = 0.0;
        foreach (var v in Values)
            sum += (double)v * v;
        return sum;
    }

    /// <summary>Builds a vector from (index, weight) pairs in any order; indices must be distinct.</summary>
    public static SparseVector FromPairs(Dictionary<int, float> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var indices = weights.Keys.ToArray();
        Array.Sort(indices);
        var values = new float[indices.Length];
        for (var i = 0; i < indices.Length; i++)
            values[i] = weights[indices[i]];
        return new SparseVector(indices, values);
    }

    /// <summary>This vector scaled to unit length (unchanged when it is all zeros).</summary>
    public SparseVector Normalized()
    {
        var norm = Math.Sqrt(SquaredNorm());
        if (norm <= 0)
            return this;
        var values = new float[Values.Length];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)(Values[i] / norm);
        return new SparseVector(Indices, values);
    }
}
