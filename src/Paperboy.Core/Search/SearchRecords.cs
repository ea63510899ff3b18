using Paperboy.Core.Papers;

namespace Paperboy.Core.Search;

/// <summary>A paper whose embedding is missing or stale for the current model.</summary>
public sealed record EmbeddingWork(string Id, string Title, string Abstract, string? TextHash);

public sealed record StoredEmbedding(string Id, string? TextHash, float[] Vector);

/// <summary>
/// What identifies the current embeddings of a model: how many, and when the newest was written. A vector added or
/// replaced (a paper's text changed and was embedded again) changes it, so a saved index built from an older set is
/// not trusted.
/// </summary>
public readonly record struct EmbeddingSet(long Count, DateTimeOffset? Latest)
{
    /// <summary>A one-line form for files: the count and the newest write in UTC ticks.</summary>
    public override string ToString() =>
        Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + (Latest?.UtcTicks ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Where a reader of the papers' change feed stands: the last (modified_at, id) it has seen.</summary>
public readonly record struct ChangeCursor(DateTimeOffset ModifiedAt, string Id);

/// <summary>A paper from the change feed, with what search filters on.</summary>
public sealed record ChangedPaper(PaperRecord Paper, DateOnly? FirstListed, ChangeCursor Cursor);

public static class VectorBytes
{
    public static byte[] ToBytes(float[] vector) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();

    public static float[] FromBytes(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
