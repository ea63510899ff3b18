using Paperboy.Core.Papers;

namespace Paperboy.Core.Search;

/// <summary>A paper whose embedding is missing or stale for the current model.</summary>
public sealed record EmbeddingWork(string Id, string Title, string Abstract, string? TextHash);

public sealed record StoredEmbedding(string Id, string? TextHash, float[] Vector);

/// <summary>Where a reader of the papers' change feed stands: the last (modified_at, id) it has seen.</summary>
public readonly record struct ChangeCursor(DateTimeOffset ModifiedAt, string Id);

/// <summary>A paper from the change feed, with what search filters on.</summary>
public sealed record ChangedPaper(PaperRecord Paper, DateOnly? FirstListed, ChangeCursor Cursor);

public static class VectorBytes
{
    public static byte[] ToBytes(float[] vector) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();

    public static float[] FromBytes(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
