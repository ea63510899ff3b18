using System.Text;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Library;

/// <summary>A paper in a member's library: when it was saved and its tags (display names, A to Z).</summary>
public sealed record SavedPaper(PaperRecord Paper, DateTimeOffset SavedAt, IReadOnlyList<string> Tags);

public sealed record LibraryPage(int Total, IReadOnlyList<SavedPaper> Items);

/// <summary>One of a member's tags and how many saved papers carry it.</summary>
public sealed record TagCount(string Name, int Papers);

/// <summary>What a member has done with one paper, for its buttons: saved (with tags), not interested, in which collections.</summary>
public sealed record PaperMarks(string PaperId, bool Saved, IReadOnlyList<string> Tags, bool NotInterested, IReadOnlyList<long> Collections)
{
    public static PaperMarks None(string paperId) => new(paperId, false, [], false, []);
}

/// <summary>A named, ordered list of papers; public ones are readable by anyone at /collections/{handle}/{slug}.</summary>
public sealed record Collection(
    long Id, long OwnerId, string OwnerHandle, string Name, string Slug, string? Description, bool IsPublic,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Papers);

/// <summary>A paper in a collection at its place (0 first), with the owner's note.</summary>
public sealed record CollectionItem(PaperRecord Paper, int Position, string? Note, DateTimeOffset AddedAt);

/// <summary>What a member's act on a paper tells the recommender.</summary>
public enum SignalSource { Saved, Tagged, Upvoted, Collected, NotInterested }

/// <summary>One signal: a paper, where it came from, when. "Not interested" is the only negative one.</summary>
public sealed record LibrarySignal(string PaperId, SignalSource Source, DateTimeOffset At)
{
    public bool Positive => Source != SignalSource.NotInterested;
}

/// <summary>Saved papers imported from a file: which were new to the library and which were there already.</summary>
public sealed record SaveManyResult(IReadOnlyList<string> Added, IReadOnlyList<string> AlreadySaved);

/// <summary>
/// A member's library: saved papers with tags (a member's own, unique ignoring case; a tag lasts while a paper
/// carries it), "not interested" marks, and collections. Saving a paper clears its "not interested" mark and marking
/// it clears the save (with its tags): the last of the two wins. Every write is checked against its owner in its
/// SQL, so another member's collection is "not found", never "forbidden".
/// </summary>
public interface ILibraryStore
{
    /// <summary>Saves the paper (again: nothing changes but the tags) and adds the tags; null when the paper is unknown.</summary>
    Task<PaperMarks?> SaveAsync(long userId, string paperId, IReadOnlyList<string> addTags, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Saves the paper with exactly these tags; null when the paper is unknown.</summary>
    Task<PaperMarks?> SetTagsAsync(long userId, string paperId, IReadOnlyList<string> tags, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Takes one tag off a saved paper (the paper stays saved); false when it did not carry it.</summary>
    Task<bool> RemoveTagAsync(long userId, string paperId, string tag, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Removes the paper (and its tags) from the library; false when it was not saved.</summary>
    Task<bool> UnsaveAsync(long userId, string paperId, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Saves many papers at once (an import), adding the tags to each, in one transaction; unknown ids are left out.</summary>
    Task<SaveManyResult> SaveManyAsync(long userId, IReadOnlyList<string> paperIds, IReadOnlyList<string> addTags, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>The saved papers, newest save first; with <paramref name="tag"/>, only those carrying it (ignoring case).</summary>
    Task<LibraryPage> GetSavedAsync(long userId, string? tag, int offset, int limit, CancellationToken ct = default);

    /// <summary>The member's tags with their paper counts, A to Z.</summary>
    Task<IReadOnlyList<TagCount>> GetTagsAsync(long userId, CancellationToken ct = default);

    /// <summary>Marks the paper "not interested" (clearing its save); false when the paper is unknown.</summary>
    Task<bool> MarkNotInterestedAsync(long userId, string paperId, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Takes the mark away; false when there was none.</summary>
    Task<bool> ClearNotInterestedAsync(long userId, string paperId, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>The papers marked "not interested", newest mark first.</summary>
    Task<IReadOnlyList<(PaperRecord Paper, DateTimeOffset At)>> GetNotInterestedAsync(long userId, int limit, CancellationToken ct = default);

    /// <summary>The member's marks on each of these papers (papers without any are left out).</summary>
    Task<IReadOnlyList<PaperMarks>> GetMarksAsync(long userId, IReadOnlyList<string> paperIds, CancellationToken ct = default);

    /// <summary>A new collection with a slug made from its name, unique among the member's.</summary>
    Task<Collection> CreateCollectionAsync(long userId, string name, string? description, bool isPublic, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>The member's collections (only the public ones when <paramref name="publicOnly"/>), most recently changed first.</summary>
    Task<IReadOnlyList<Collection>> GetCollectionsAsync(long userId, bool publicOnly, CancellationToken ct = default);

    /// <summary>A collection by its owner's handle (ignoring case) and slug, whoever may see it: the caller decides.</summary>
    Task<Collection?> FindCollectionAsync(string handle, string slug, CancellationToken ct = default);

    /// <summary>The collection's papers in their order.</summary>
    Task<IReadOnlyList<CollectionItem>> GetItemsAsync(long collectionId, CancellationToken ct = default);

    /// <summary>The owner renames, describes, opens or closes a collection (the slug stays); null when it is not theirs.</summary>
    Task<Collection?> UpdateCollectionAsync(long userId, long collectionId, string name, string? description, bool isPublic, DateTimeOffset at, CancellationToken ct = default);

    Task<bool> DeleteCollectionAsync(long userId, long collectionId, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Adds the paper at the end (or sets its note when it is there already); false when the collection is not the member's or the paper is unknown.</summary>
    Task<bool> AddItemAsync(long userId, long collectionId, string paperId, string? note, DateTimeOffset at, CancellationToken ct = default);

    Task<bool> SetNoteAsync(long userId, long collectionId, string paperId, string? note, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Moves a paper to <paramref name="position"/> (0 first; clamped to the list), the others closing up.</summary>
    Task<bool> MoveItemAsync(long userId, long collectionId, string paperId, int position, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Puts the papers in this order; false unless <paramref name="paperIds"/> holds each of the collection's papers once.</summary>
    Task<bool> ReorderAsync(long userId, long collectionId, IReadOnlyList<string> paperIds, DateTimeOffset at, CancellationToken ct = default);

    Task<bool> RemoveItemAsync(long userId, long collectionId, string paperId, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>
    /// The member's signals for the recommender, one per paper, the last one winning (<see cref="Signals.LastWins"/>):
    /// saved, tagged, upvoted and collected papers are positive, "not interested" negative.
    /// </summary>
    Task<IReadOnlyList<LibrarySignal>> GetSignalsAsync(long userId, CancellationToken ct = default);

    /// <summary>The members whose signals changed after <paramref name="since"/> (a save, a tag, a vote, a mark; their removals too).</summary>
    Task<IReadOnlyList<long>> GetMembersWithChangedSignalsAsync(DateTimeOffset since, CancellationToken ct = default);
}

public static class Signals
{
    /// <summary>
    /// One signal per paper: the latest. At the same instant "not interested" wins, being the one a member means
    /// explicitly. Ordered newest first.
    /// </summary>
    public static IReadOnlyList<LibrarySignal> LastWins(IEnumerable<LibrarySignal> all) =>
        all.GroupBy(s => s.PaperId, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(s => s.At).ThenBy(s => s.Positive).First())
            .OrderByDescending(s => s.At).ThenBy(s => s.PaperId, StringComparer.Ordinal)
            .ToList();
}

/// <summary>Tag names: a member's own words, unique ignoring case, kept as first written.</summary>
public static class LibraryTags
{
    public const int MaxLength = 40;
    public const int MaxPerPaper = 20;

    /// <summary>A tag as stored (trimmed, inner spaces collapsed); null with the reason when it cannot be one.</summary>
    public static string? Normalize(string? input, out string problem)
    {
        var tag = TextNormalizer.Collapse(input ?? "");
        problem = tag.Length == 0 ? "a tag needs at least one character"
            : tag.Length > MaxLength ? $"'{TextNormalizer.Clip(tag)}' is longer than {MaxLength} characters"
            : tag.Any(c => c is ',' or '/' or '\\' || char.IsControl(c)) ? $"'{TextNormalizer.Clip(tag)}': a tag cannot hold a comma, a slash or a backslash"
            : "";
        return problem.Length == 0 ? tag : null;
    }

    /// <summary>The key tags are compared by: names are the same tag ignoring case.</summary>
    public static string Key(string name) => name.ToLowerInvariant();

    /// <summary>Tags from a comma-separated line ("ml, to read"), each once; the problem names the bad one.</summary>
    public static bool TryParseList(string? text, out IReadOnlyList<string> tags, out string problem) =>
        TryNormalizeAll((text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), out tags, out problem);

    public static bool TryNormalizeAll(IEnumerable<string?> names, out IReadOnlyList<string> tags, out string problem)
    {
        var list = new List<string>();
        foreach (var name in names)
        {
            if (Normalize(name, out problem) is not { } tag)
            {
                tags = [];
                return false;
            }
            if (!list.Any(t => Key(t) == Key(tag)))
                list.Add(tag);
        }
        problem = list.Count > MaxPerPaper ? $"at most {MaxPerPaper} tags on a paper, not {list.Count}" : "";
        tags = list;
        return problem.Length == 0;
    }
}

/// <summary>Limits and names of collections.</summary>
public static class Collections
{
    public const int MaxNameLength = 80;
    public const int MaxDescriptionLength = 2_000;
    public const int MaxNoteLength = 2_000;
    public const int MaxPerMember = 500;
    public const int MaxPapers = 2_000;

    /// <summary>The name as stored; null with the reason when it cannot be one.</summary>
    public static string? Name(string? input, out string problem)
    {
        var name = TextNormalizer.Collapse(input ?? "");
        problem = name.Length == 0 ? "name: give the collection a name"
            : name.Length > MaxNameLength ? $"name: at most {MaxNameLength} characters, not {name.Length}"
            : "";
        return problem.Length == 0 ? name : null;
    }

    /// <summary>A description or note as stored: trimmed, null when empty; the problem when too long.</summary>
    public static string? Text(string? input, int max, string field, out string problem)
    {
        var text = (input ?? "").Trim().ReplaceLineEndings("\n");
        problem = text.Length > max ? $"{field}: at most {max:N0} characters, not {text.Length:N0}" : "";
        return text.Length == 0 ? null : text;
    }

    /// <summary>"Reading group: week 3" becomes "reading-group-week-3": ASCII letters and digits, accents folded.</summary>
    public static string Slug(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in FoldToAscii(name))
        {
            var lower = char.ToLowerInvariant(c);
            if (lower is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
                sb.Append(lower);
            else if (sb.Length > 0 && sb[^1] != '-')
                sb.Append('-');
        }
        var slug = sb.ToString().Trim('-');
        if (slug.Length > 60)
            slug = slug[..60].TrimEnd('-');
        return slug.Length == 0 ? "collection" : slug;
    }

    /// <summary>
    /// Latin letters with accents to their ASCII letters (é to e, ß to ss, ø to o), by Lucene's folding table: the
    /// process runs with invariant globalization, where <c>string.Normalize</c> does not decompose.
    /// </summary>
    public static string FoldToAscii(string text)
    {
        var input = text.ToCharArray();
        var output = new char[input.Length * 4 + 4];
        var length = Lucene.Net.Analysis.Miscellaneous.ASCIIFoldingFilter.FoldToASCII(input, 0, output, 0, input.Length);
        return new string(output, 0, length);
    }

    /// <summary>True for what <see cref="Slug"/> can make (a route value is checked before any query).</summary>
    public static bool IsSlug(string? text) =>
        text is { Length: > 0 and <= 64 } && text.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
