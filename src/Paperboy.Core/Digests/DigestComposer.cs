using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Papers;
using Paperboy.Core.Recommend;
using Paperboy.Core.Search;

namespace Paperboy.Core.Digests;

/// <summary>What the composer needs besides the subscription: the window, the site's address and the digest's own links.</summary>
public sealed record DigestWindow(DateTimeOffset Since, DateTimeOffset Until, DigestPeriod Period, DigestLinks Links);

/// <summary>
/// Makes a subscriber's digest from what is new in the window (since their last digest, until now): the Daily's top
/// papers by trending, new papers in chosen categories, saved searches, followed authors, and followed papers' new
/// versions (with what changed) and comments; and, when the address is a member's who has library signals, "For you":
/// the top new papers ranked for them, each with why. A paper appears once, in the first section that has it.
/// A run passes one <see cref="DigestReads"/> to all its subscribers: most share a window, a category, a search or an
/// author, and each of those is read once per run instead of once per subscriber.
/// </summary>
public sealed class DigestComposer(IPaperReader papers, ITrendingStore trending, ICommentStore comments, SearchEngine search, TrendingSettings settings, IUserStore users, ForYou forYou)
{
    private const int PerSection = 20;
    public const int ForYouCount = 5;
    private const string CodeNote = "Code repository";

    public Task<Digest> ComposeAsync(Subscription s, DigestWindow w, CancellationToken ct) => ComposeAsync(s, w, new DigestReads(), ct);

    public async Task<Digest> ComposeAsync(Subscription s, DigestWindow w, DigestReads reads, CancellationToken ct)
    {
        var c = s.Choices;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sections = new List<DigestSection>();
        var sinceDay = DateOnly.FromDateTime(w.Since.UtcDateTime);
        var untilDay = DateOnly.FromDateTime(w.Until.UtcDateTime);
        DigestEntry Entry(PaperRecord p, string? note = null, string? diff = null, string? anchor = null) =>
            new(p.Id, p.Title, p.Authors, TextNormalizer.Clip(p.Abstract, 400), p.Categories.Where(Categories.IsArxiv).ToList(),
                $"{w.Links.Site}/papers/{p.Id}{anchor}", note, diff);
        void Add(string kind, string title, IEnumerable<DigestEntry> entries)
        {
            // A paper once per digest; a followed paper's comments and its new code link are entries of their own.
            var list = entries.Where(e => seen.Add(e.PaperId + (e.Note?.StartsWith("Comment", StringComparison.Ordinal) == true ? "#" + e.Url
                : e.Note?.StartsWith(CodeNote, StringComparison.Ordinal) == true ? "#code" : ""))).Take(PerSection).ToList();
            if (list.Count > 0)
                sections.Add(new DigestSection(kind, title, list));
        }

        if (await ForYouAsync(s, ct) is { } mine)
        {
            // New since the last digest, as every section: what an earlier digest covered is not sent again.
            Add("for-you", "For you", mine.Items.Where(i => i.Paper.PublishedOn is { } d && d > sinceDay && d <= untilDay)
                .Take(ForYouCount).Select(i => Entry(i.Paper, ForYouReasons.Line(i) is { Length: > 0 } why ? "Because: " + why : null)));
        }
        if (c.Trending)
        {
            var activity = await reads.GetAsync($"trending|{sinceDay}", () => trending.GetActivityAsync(sinceDay, ct));
            var fresh = activity.Where(a => a.Paper.FeaturedAt is { } f && f > w.Since && f <= w.Until);
            var ranked = Trending.Rank(fresh, w.Until, settings.HalfLife, settings.CommentWeight, c.Frequency == "weekly" ? "this week" : "today");
            Add("trending", "Trending on the Daily", ranked.Take(Math.Clamp(c.TrendingCount, 1, 50)).Select(e => Entry(e.Paper, e.Explanation)));
        }
        var newDays = new ListingPeriod(sinceDay.AddDays(1), untilDay, "days");
        foreach (var category in c.Categories)
        {
            if (newDays.From > newDays.To)
                break;
            var page = await reads.GetAsync($"category|{newDays.From}|{newDays.To}|{category}", () => papers.GetListingAsync(new ListingQuery(newDays, category, ListingSort.Published, 0, PerSection), ct));
            Add("category", "New in " + category, page.Items.Select(i => Entry(i.Paper)));
        }
        foreach (var saved in c.Searches)
        {
            if (!SearchModes.TryParse(saved.Mode, out var mode))
                continue;
            var request = new SearchRequest(saved.Q, mode, From: sinceDay.AddDays(1), To: untilDay, Limit: Math.Clamp(saved.Limit ?? 10, 1, 50));
            var found = await reads.GetAsync($"search|{mode}|{request.From}|{request.To}|{request.Limit}|{saved.Q}", () => search.SearchAsync(request, ct));
            Add("search", $"Search: {saved.Q}", found.Hits.Where(h => saved.MinScore is not { } min || h.Score >= min).Select(h => Entry(h.Paper)));
        }
        foreach (var author in c.Authors)
        {
            var theirs = await reads.GetAsync("author|" + author, () => papers.GetPapersByAuthorAsync(author, PerSection, ct));
            Add("author", "By " + author, theirs.Where(p => (p.UpdatedOn ?? p.PublishedOn) > sinceDay).Select(p => Entry(p)));
        }
        var followed = new List<DigestEntry>();
        var code = c.Papers.Count == 0 ? null : new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in c.Papers)
        {
            var details = await reads.GetAsync("paper|" + id, () => papers.GetPaperAsync(id, ct));
            if (details is null)
                continue;
            var p = details.Paper;
            var replaced = details.Revisions.Where(r => r.ReplacedAt > w.Since).OrderBy(r => r.ReplacedAt).FirstOrDefault();
            if (replaced is not null)
                followed.Add(Entry(p, $"New version{(p.Version is { } v ? " v" + v : "")}" + (p.Comments is { Length: > 0 } line ? $": {p.Comments}" : ""), AbstractDiff(replaced.Abstract, p.Abstract)));
            // A code link that appeared since the last digest (a paper followed since then has no "before": not news).
            var link = p.CodeUrl ?? "";
            code![id] = link;
            if (link.Length > 0 && s.FollowedCode is { } before && before.TryGetValue(id, out var was) && was != link)
                followed.Add(Entry(p, $"{CodeNote} {(was.Length == 0 ? "added" : "changed")}: {link}"));
            foreach (var comment in (await reads.GetAsync("comments|" + id, () => comments.ListAsync(id, ct))).Where(x => x.Visible && x.CreatedAt > w.Since && x.CreatedAt <= w.Until))
                followed.Add(Entry(p, $"Comment by {comment.AuthorName ?? comment.AuthorHandle}: {TextNormalizer.Clip(CommentMarkdown.ToPlainText(comment.Body).Trim(), 300)}", anchor: $"#comment-{comment.Id}"));
        }
        Add("followed", "Papers you follow", followed);
        return new Digest(s.Email, w.Period.Label, c.Frequency, sections, w.Links) { FollowedCode = code };
    }

    /// <summary>The list of the member the address belongs to (or who subscribed), when they have positives to learn from.</summary>
    private async Task<ForYouList?> ForYouAsync(Subscription s, CancellationToken ct)
    {
        var userId = (await users.FindUserByEmailAsync(s.Email, ct))?.Id ?? s.UserId;
        if (userId is not { } id)
            return null;
        var list = await forYou.CurrentAsync(id, 50, ct);
        return list.Positives > 0 ? list : null;
    }

    /// <summary>What changed in an abstract, sentence by sentence: removed ones as "- …", added ones as "+ …".</summary>
    public static string? AbstractDiff(string before, string after)
    {
        static List<string> Sentences(string text) => System.Text.RegularExpressions.Regex.Split(text.Trim(), @"(?<=[.!?])\s+").Where(x => x.Length > 0).ToList();
        var old = Sentences(before);
        var now = Sentences(after);
        var lines = old.Except(now, StringComparer.Ordinal).Select(x => "- " + x).Concat(now.Except(old, StringComparer.Ordinal).Select(x => "+ " + x)).ToList();
        return lines.Count == 0 ? null : string.Join("\n", lines);
    }
}

/// <summary>
/// One digest run's reads, each made once and shared by every subscriber who needs it. Its life is the run (minutes):
/// a later run reads afresh. Safe for concurrent use.
/// </summary>
public sealed class DigestReads
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task>> _reads = new(StringComparer.Ordinal);

    public async Task<T> GetAsync<T>(string key, Func<Task<T>> read)
    {
        // Lazy: subscribers composed at once who need the same read start it once (GetOrAdd alone may call twice).
        var entry = _reads.GetOrAdd(key, _ => new Lazy<Task>(() => read()));
        try
        {
            return await (Task<T>)entry.Value;
        }
        catch
        {
            _reads.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, entry)); // a failed read is not kept
            throw;
        }
    }
}

/// <summary>The trending score's settings, as the composer needs them (the web's CommunityOptions carry the same numbers).</summary>
public sealed record TrendingSettings(TimeSpan HalfLife, double CommentWeight);
