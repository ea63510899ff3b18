namespace Paperboy.Core.Search;

/// <summary>
/// Turns text into unit-length vectors whose dot product is cosine similarity. <see cref="ModelId"/> names the model
/// and its exact weights: stored with every vector, so a different model re-embeds instead of mixing spaces.
/// </summary>
public interface ITextEmbedder : IDisposable
{
    string ModelId { get; }

    int Dimensions { get; }

    /// <summary>One L2-normalised vector per text, in order. Thread-safe.</summary>
    float[][] Embed(IReadOnlyList<string> texts, CancellationToken ct = default);

    /// <summary>One short text (a search query), as fast as possible for one caller. Thread-safe.</summary>
    float[] EmbedQuery(string text, CancellationToken ct = default) => Embed([text], ct)[0];
}

/// <summary>What a paper is embedded and indexed as: its title and abstract.</summary>
public static class PaperText
{
    public static string For(string title, string abstractText) => title + ". " + abstractText;
}

/// <summary>
/// How the model runs: <see cref="Int8"/> quantises its weight matrices (about 1.7x the throughput on CPUs with int8
/// dot products, vectors within cosine 0.99 of the float model's; activations are quantised per inference, so a text's
/// vector varies slightly, cosine above 0.995, with the texts batched beside it); <see cref="Float32"/> runs the
/// packaged model as is. Each has its own model id, so switching re-embeds.
/// </summary>
public enum EmbeddingPrecision { Float32, Int8 }
