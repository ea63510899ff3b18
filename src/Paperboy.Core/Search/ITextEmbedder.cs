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

    /// <summary>What an embedding was computed from (16 hex digits): when the title or abstract changes, the embedding is stale.</summary>
    public static string Hash(string title, string abstractText) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(For(title, abstractText))))[..16];
}

/// <summary>
/// How the model runs: <see cref="Int8"/> quantises its weight matrices (about 1.7x the throughput on CPUs with int8
/// dot products, vectors within cosine 0.99 of the float model's; activations are quantised per inference, so a text's
/// vector varies slightly, cosine above 0.995, with the texts batched beside it); <see cref="Float32"/> runs the
/// packaged model as is; <see cref="Auto"/> is Int8 where the CPU has int8 dot products and Float32 elsewhere. Each
/// has its own model id, so switching re-embeds.
/// </summary>
public enum EmbeddingPrecision { Auto, Float32, Int8 }

public static class EmbeddingPrecisions
{
    /// <summary>
    /// Auto made concrete. On x64 without VNNI, ONNX Runtime's u8 x s8 kernels multiply with 16-bit saturation, which
    /// costs int8 its accuracy; there (and only there) Auto means Float32. ARM64's int8 kernels do not saturate.
    /// </summary>
    public static EmbeddingPrecision Resolve(EmbeddingPrecision precision) => precision switch
    {
        EmbeddingPrecision.Auto => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64
            || System.Runtime.Intrinsics.X86.AvxVnni.IsSupported
                ? EmbeddingPrecision.Int8
                : EmbeddingPrecision.Float32,
        _ => precision,
    };
}
