using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Core.Search.Vectors;
using Paperboy.Storage.Sqlite;

namespace Paperboy.Bench;

/// <summary>Search latency over an indexed data directory, and HNSW against exact search on a million vectors.</summary>
internal static class SearchBench
{
    /// <summary>search DATA [QUERIES] [EXACT_BELOW] [PRECISION]: server-side latency of SearchAsync per mode, queries made from real titles.</summary>
    public static async Task<int> LatencyAsync(string[] args)
    {
        var data = args[0];
        var n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        // Optional: the vector count from which HNSW is used (default as configured: 20,000).
        var options = new SearchOptions();
        if (args.Length > 2)
            options.ExactBelow = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        // Optional: the embedding precision (default int8; the data directory must hold that model's vectors).
        if (args.Length > 3)
            options.EmbeddingPrecision = Enum.Parse<EmbeddingPrecision>(args[3], ignoreCase: true);
        await using var store = SqliteStorage.Open(data);
        using var engine = new SearchEngine(store, options, Path.Combine(data, "bench-" + options.ExactBelow), NullLogger<SearchEngine>.Instance);
        await engine.Upkeep.CatchUpAsync(null, CancellationToken.None, maxEmbed: 0);
        var papers = (await store.GetChangedPapersAsync(null, 1_000_000)).Select(c => c.Paper).ToList();
        var embedded = (await store.DescribeEmbeddingsAsync(engine.Embedder!.ModelId)).Count;
        Console.WriteLine($"{papers.Count:N0} papers, {engine.FullText.Count:N0} in the keyword index, {embedded:N0} embedded; vector index: {(embedded >= options.ExactBelow ? "HNSW" : "exact")}");
        // Real titles, shortened to their first 3-8 words as people type them; a fixed seed so runs compare.
        var rng = new Random(42);
        var queries = Enumerable.Range(0, n).Select(_ =>
        {
            var words = papers[rng.Next(papers.Count)].Title.Split(' ');
            return string.Join(' ', words.Take(Math.Min(words.Length, rng.Next(3, 9))));
        }).ToList();
        if (Environment.GetEnvironmentVariable("PROBE") is not null)
        {
            var t1 = Stopwatch.StartNew();
            foreach (var q in queries.Take(200))
                engine.FullText.Search(q, 200);
            Console.WriteLine($"lucene only: {t1.Elapsed.TotalMilliseconds / 200:N2} ms");
            t1.Restart();
            foreach (var q in queries.Take(200))
                engine.FullText.Search(q, 10);
            Console.WriteLine($"lucene top 10: {t1.Elapsed.TotalMilliseconds / 200:N2} ms");
            var ids = papers.Take(20).Select(p => p.Id).ToList();
            t1.Restart();
            for (var i = 0; i < 200; i++)
                await store.GetPapersAsync(ids);
            Console.WriteLine($"hydrate 20: {t1.Elapsed.TotalMilliseconds / 200:N2} ms");
            t1.Restart();
            for (var i = 0; i < 200; i++)
                await store.GetPapersAsync([ids[i % 20]]);
            Console.WriteLine($"hydrate 1: {t1.Elapsed.TotalMilliseconds / 200:N2} ms");
            var vectors = new List<float[]>();
            t1.Restart();
            foreach (var q in queries.Take(200))
                vectors.Add(engine.Embedder!.EmbedQuery(q));
            Console.WriteLine($"embed query: {t1.Elapsed.TotalMilliseconds / 200:N2} ms");
            using var semantic = await SemanticIndex.LoadAsync(store, engine.Embedder!.ModelId, 384, options.VectorIndex(),
                Path.Combine(data, "bench-" + options.ExactBelow, "index", "vectors-" + engine.Embedder!.ModelId.Replace('@', '-') + ".usearch"), CancellationToken.None);
            foreach (var k in new[] { 10, 200 })
            {
                t1.Restart();
                foreach (var v in vectors)
                    semantic.Search(v, k, null);
                Console.WriteLine($"vector search k={k} ({(semantic.IsHnsw ? "HNSW" : "exact")}): {t1.Elapsed.TotalMilliseconds / 200:N2} ms");
            }
        }
        foreach (var mode in new[] { SearchMode.Keyword, SearchMode.Semantic, SearchMode.Hybrid })
        {
            for (var i = 0; i < 20; i++)
                await engine.SearchAsync(new SearchRequest(queries[i], mode), CancellationToken.None); // warm-up
            var times = new List<double>(n);
            foreach (var q in queries)
            {
                var sw = Stopwatch.StartNew();
                await engine.SearchAsync(new SearchRequest(q, mode), CancellationToken.None);
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"{mode,-9} {n} queries: p50 {times[n / 2]:N2} ms, p99 {times[(int)(n * 0.99)]:N2} ms, mean {times.Average():N2} ms");
        }
        return 0;
    }

    /// <summary>
    /// vectors DATA N QUERIES [NOISE] [EF,EF,...] [M] [EF_ADD]: N vectors = the stored embeddings plus perturbed
    /// copies; one HNSW build, then each search breadth against exact search over the same queries.
    /// </summary>
    public static async Task<int> VectorsAsync(string[] args)
    {
        var data = args[0];
        var total = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var nq = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        // How far a copy strays from its source (noise 0.35: cosine about 0.94 to it; 0.8: about 0.78).
        var noise = args.Length > 3 ? float.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 0.35f;
        var options = new VectorIndexOptions();
        var breadths = args.Length > 4 ? args[4].Split(',').Select(int.Parse).ToArray() : [options.ExpansionSearch];
        if (args.Length > 5)
            options.Connectivity = int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture);
        if (args.Length > 6)
            options.ExpansionAdd = int.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture);
        await using var store = SqliteStorage.Open(data);
        // The stored vectors of the default model (int8), else of the float model.
        string model;
        using (var embedder = new Core.Search.Embeddings.MiniLmEmbedder(Path.Combine(data, "models", Core.Search.Embeddings.MiniLmEmbedder.ModelName),
            1, 1, new SearchOptions().EmbeddingPrecision))
            model = embedder.ModelId;
        if ((await store.DescribeEmbeddingsAsync(model)).Count == 0)
            model = Core.Search.Embeddings.MiniLmEmbedder.ModelName + "@" + Core.Search.Embeddings.MiniLmModelFiles.ModelSha256[..12];
        var real = new List<float[]>();
        await foreach (var e in store.ReadEmbeddingsAsync(model))
            real.Add(e.Vector);
        const int Dim = 384;
        var rng = new Random(7);
        var vectors = new List<float[]>(total);
        vectors.AddRange(real.Take(total));
        while (vectors.Count < total)
            vectors.Add(Perturb(real[rng.Next(real.Count)], rng, noise));
        Console.WriteLine($"{real.Count:N0} real embeddings ({model}), {total - Math.Min(total, real.Count):N0} perturbed copies (noise {noise}), {nq} queries; M {options.Connectivity}, expansion_add {options.ExpansionAdd}, {Environment.ProcessorCount} build threads");

        var sw = Stopwatch.StartNew();
        using (var hnsw = HnswVectors.Build(vectors, Dim, options))
        {
            Console.WriteLine($"HNSW build: {sw.Elapsed.TotalSeconds:N1} s");
            hnsw.Save(Path.Combine(Path.GetTempPath(), "paperboy-bench.usearch"));
        }
        var path = Path.Combine(Path.GetTempPath(), "paperboy-bench.usearch");
        using var view = HnswVectors.View(path, options);
        var flat = new float[(long)total * Dim <= int.MaxValue ? total * Dim : throw new InvalidOperationException("too many vectors for one array")];
        for (var i = 0; i < total; i++)
            vectors[i].AsSpan().CopyTo(flat.AsSpan(i * Dim, Dim));
        vectors.Clear();
        var exact = new ExactVectors(flat, Dim);
        var queries = Enumerable.Range(0, nq).Select(_ => Perturb(real[rng.Next(real.Count)], rng, noise)).ToList();

        // The truth once (exact search is the baseline: its latency is reported beside HNSW's).
        var exactTimes = new List<double>();
        var truths = new List<HashSet<int>>();
        foreach (var q in queries)
        {
            sw.Restart();
            var truth = exact.Search(q, 10, null);
            exactTimes.Add(sw.Elapsed.TotalMilliseconds);
            truths.Add(truth.Select(h => h.Ordinal).ToHashSet());
        }
        exactTimes.Sort();
        Console.WriteLine($"exact (TensorPrimitives, F32): p50 {exactTimes[nq / 2]:N2} ms, p99 {exactTimes[(int)(nq * 0.99)]:N2} ms");
        foreach (var ef in breadths)
        {
            view.SetExpansionSearch(ef);
            foreach (var q in queries.Take(50))
                view.Search(q, 10, null); // warm the mapped pages this breadth touches
            var times = new List<double>();
            double recall = 0;
            for (var i = 0; i < nq; i++)
            {
                sw.Restart();
                var approx = view.Search(queries[i], 10, null);
                times.Add(sw.Elapsed.TotalMilliseconds);
                recall += approx.Count(h => truths[i].Contains(h.Ordinal)) / 10.0;
            }
            times.Sort();
            Console.WriteLine($"HNSW ef {ef,4} (F16, memory-mapped): p50 {times[nq / 2]:N3} ms, p99 {times[(int)(nq * 0.99)]:N3} ms; recall@10 vs exact {recall / nq:N4}; {exactTimes[nq / 2] / times[nq / 2]:N0}x faster than exact at the median");
        }
        File.Delete(path);
        return 0;
    }

    private static float[] Perturb(float[] v, Random rng, float noise)
    {
        var r = new float[v.Length];
        for (var i = 0; i < v.Length; i++)
            r[i] = v[i] + noise * (float)(rng.NextDouble() * 2 - 1) / MathF.Sqrt(v.Length / 3f);
        var norm = TensorPrimitives.Norm(r);
        TensorPrimitives.Divide(r, norm, r);
        return r;
    }
}
