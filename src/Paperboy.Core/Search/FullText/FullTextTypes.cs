namespace Paperboy.Core.Search.FullText;

/// <summary>One paper as the full-text index sees it.</summary>
/// <param name="Published">The day the paper was published; null when unknown (such a paper never passes a date filter).</param>
public sealed record FullTextDocument(
    string Id,
    string Title,
    string Abstract,
    IReadOnlyList<string> Authors,
    IReadOnlyList<string> Categories,
    DateOnly? Published);

/// <summary>
/// Restricts a search. <paramref name="Categories"/>: a paper passes when it has any of them (null or empty: no
/// category filter). <paramref name="From"/>/<paramref name="To"/>: inclusive bounds on the published day; with
/// either set, papers without a known day are left out.
/// </summary>
public sealed record FullTextFilter(IReadOnlyList<string>? Categories = null, DateOnly? From = null, DateOnly? To = null)
{
    internal bool HasCategories => Categories is { Count: > 0 };
    internal bool HasDates => From is not null || To is not null;
}

/// <summary>One hit, best first.</summary>
public readonly record struct FullTextHit(string Id, float Score);

/// <summary>The ordered hits (at most the limit asked for) and how many papers matched in all.</summary>
public sealed record FullTextResult(IReadOnlyList<FullTextHit> Hits, int TotalHits)
{
    public static FullTextResult Empty { get; } = new([], 0);
}

/// <summary>
/// A piece of highlighted text. The pieces of one highlight, concatenated, are the text shown (the whole text, or a
/// fragment of it with "…" pieces where it was cut). Escape every piece and wrap those with <see cref="IsMatch"/> in
/// a marker element (for HTML: <c>&lt;mark&gt;</c>).
/// </summary>
public readonly record struct HighlightSegment(string Text, bool IsMatch);

/// <summary>
/// Ranking settings of a <see cref="FullTextIndex"/>. All of them apply at query time: changing them needs no reindex.
/// The defaults are the best of a grid on SciFact's train queries (nDCG@10 0.705; see FullTextIndexTests).
/// </summary>
public sealed record FullTextOptions
{
    /// <summary>BM25 term-frequency saturation.</summary>
    public float K1 { get; init; } = 0.9f;

    /// <summary>BM25 length normalization.</summary>
    public float B { get; init; } = 0.4f;

    /// <summary>
    /// Weight of a match in title and abstract read as one text (the way Anserini indexes BEIR). The main signal:
    /// on SciFact it beats scoring title and abstract apart.
    /// </summary>
    public float ContentsBoost { get; init; } = 1.0f;

    /// <summary>Extra weight of a match in the title, on top of <see cref="ContentsBoost"/> (0: none).</summary>
    public float TitleBoost { get; init; } = 0.2f;

    /// <summary>Extra weight of a match in the abstract alone (0: none).</summary>
    public float AbstractBoost { get; init; }

    /// <summary>Weight of a match in the author names (0: authors are not searched).</summary>
    public float AuthorsBoost { get; init; } = 1.0f;

    /// <summary>At most this many query terms are used (the first ones); the rest of a long query is ignored.</summary>
    public int MaxQueryTerms { get; init; } = 64;

    /// <summary>The text analysis (evaluation only: changing it needs a reindex).</summary>
    internal AnalyzerKind Analysis { get; init; } = AnalyzerKind.PorterFolding;

    public static FullTextOptions Default { get; } = new();
}
