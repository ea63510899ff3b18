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
}

/// <summary>What a paper is embedded and indexed as: its title and abstract.</summary>
public static class PaperText
{
    public static string For(string title, string abstractText) => title + ". " + abstractText;
}
