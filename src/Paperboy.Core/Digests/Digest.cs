using Paperboy.Core.Papers;

namespace Paperboy.Core.Digests;

/// <summary>
/// One subscriber's digest for one period: sections of what is new since their last digest. Empty sections are left
/// out; a digest with no entries at all is not sent.
/// </summary>
public sealed record Digest(
    string To,
    string PeriodLabel,          // "Friday, 4 December 2026" or "week 2026-W49"
    string Frequency,            // "daily" | "weekly"
    IReadOnlyList<DigestSection> Sections,
    DigestLinks Links)
{
    public int EntryCount => Sections.Sum(s => s.Entries.Count);

    /// <summary>The followed papers' code links as this digest saw them (id to URL, "" for none); null when none are followed.</summary>
    public IReadOnlyDictionary<string, string>? FollowedCode { get; init; }
}

/// <summary>A section: "Trending on the Daily", "New in cs.CL", "Search: diffusion models", "By Yann LeCun", "Papers you follow".</summary>
public sealed record DigestSection(string Kind, string Title, IReadOnlyList<DigestEntry> Entries);

/// <summary>
/// One line of a digest: a paper (title, authors, the start of its abstract, categories, a note such as the trending
/// explanation or "v3: the abstract changed") or a comment on a followed paper.
/// </summary>
public sealed record DigestEntry(
    string PaperId,
    string Title,
    IReadOnlyList<string> Authors,
    string Summary,
    IReadOnlyList<string> Categories,
    string Url,                  // absolute link to the paper page (or the comment on it)
    string? Note = null,         // "7 upvotes in the last day, 2 comments: score 5.9" / "New version v3" / "Comment by ada"
    string? Diff = null);        // for a new version: what changed in the abstract, as "- old words / + new words" lines

/// <summary>Absolute links every digest carries.</summary>
public sealed record DigestLinks(string Site, string Manage, string Unsubscribe);

/// <summary>
/// A rendered digest: subject, HTML for mail clients, and the plain-text alternative, each body in the pieces it was
/// made of (a run's digests share their entries' pieces, and the mail encodes each of those once).
/// </summary>
public sealed record RenderedDigest(string Subject, IReadOnlyList<Mail.BodyPiece> HtmlPieces, IReadOnlyList<Mail.BodyPiece> TextPieces)
{
    public string Html => string.Concat(HtmlPieces.Select(p => p.Text));

    public string Text => string.Concat(TextPieces.Select(p => p.Text));
}
