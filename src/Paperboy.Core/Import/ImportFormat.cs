namespace Paperboy.Core.Import;

public enum ImportFormat
{
    /// <summary>arXiv daily listings, JSON lines; the listing day is the file name (2025-03-20.jsonl.gz).</summary>
    Listings,
    /// <summary>Cornell/Kaggle arxiv-metadata-oai-snapshot JSON lines, with versions.</summary>
    Kaggle,
    /// <summary>A Hugging Face /api/daily_papers response: one JSON array.</summary>
    HfDaily,
    /// <summary>JSON lines of {title, abstract}; each paper gets a stable local id.</summary>
    TitleAbstract,
}

/// <summary>One thing read from a file: a record, or the reason a line could not be one.</summary>
public readonly record struct ImportItem(IncomingPaper? Paper, string Location, string? Error)
{
    public static ImportItem Ok(IncomingPaper p, string location) => new(p, location, null);

    public static ImportItem Bad(string location, string error) => new(null, location, error);
}

/// <summary>Thrown when a whole file cannot be read (not a gzip, truncated, unknown format).</summary>
public sealed class ImportFileException(string message, Exception? inner = null) : Exception(message, inner);
