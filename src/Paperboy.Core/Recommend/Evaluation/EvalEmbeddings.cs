using Paperboy.Core.Papers;
using Paperboy.Core.Search;

namespace Paperboy.Core.Recommend.Evaluation;

/// <summary>
/// The vectors of the papers an evaluation needs, from the store where they are current for the model, and
/// otherwise embedded now and stored (so search, serve and the next run reuse them).
/// </summary>
public static class EvalEmbeddings
{
    public sealed record Result(IReadOnlyDictionary<int, float[]> Vectors, int Stored, int Embedded);

    public static async Task<Result> EnsureAsync(IEmbeddingStore store, ITextEmbedder embedder, EvalCorpus corpus, IReadOnlyCollection<int> papers,
        Action<string>? progress, CancellationToken ct, int batch = 64)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(papers);
        var byId = papers.ToDictionary(i => corpus.Papers[i].Id, i => i, StringComparer.Ordinal);
        var vectors = new Dictionary<int, float[]>(papers.Count);
        foreach (var chunk in byId.Keys.Order(StringComparer.Ordinal).Chunk(500))
        {
            foreach (var e in await store.ReadEmbeddingsAsync(embedder.ModelId, chunk, ct))
            {
                var paper = corpus.Papers[byId[e.Id]];
                if (e.TextHash == PaperText.Hash(paper.Title, paper.Abstract))
                    vectors[paper.Index] = e.Vector;
            }
        }
        var stored = vectors.Count;
        var missing = papers.Where(i => !vectors.ContainsKey(i)).Order().ToList();
        var done = 0;
        foreach (var chunk in missing.Chunk(batch))
        {
            var texts = chunk.Select(i => PaperText.For(corpus.Papers[i].Title, corpus.Papers[i].Abstract)).ToList();
            var made = embedder.Embed(texts, ct);
            var toSave = new List<StoredEmbedding>(chunk.Length);
            for (var k = 0; k < chunk.Length; k++)
            {
                var p = corpus.Papers[chunk[k]];
                vectors[p.Index] = made[k];
                toSave.Add(new StoredEmbedding(p.Id, PaperText.Hash(p.Title, p.Abstract), made[k]));
            }
            await store.SaveEmbeddingsAsync(embedder.ModelId, toSave, ct);
            done += chunk.Length;
            progress?.Invoke($"embedded {done:N0} of {missing.Count:N0} papers");
        }
        return new Result(vectors, stored, missing.Count);
    }
}
