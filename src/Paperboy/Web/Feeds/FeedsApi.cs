using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Web.Community;
using Paperboy.Web.Papers;

namespace Paperboy.Web.Feeds;

/// <summary>
/// RSS 2.0, Atom 1.0 and JSON Feed 1.1 for every list: <c>/feeds/{list}.rss|.atom|.json</c>. Lists: <c>daily</c>
/// (rolling), <c>daily/2025-03-20</c>, <c>trending</c> (<c>?period=day|week|month</c>), <c>new/cs.CL</c>,
/// <c>search?q=&amp;mode=</c>, <c>authors/{exact name}</c>, <c>users/{handle}/upvotes</c> (when public),
/// <c>collections/{handle}/{slug}</c> (public ones) and
/// <c>papers/{id}/comments</c>. Answers carry an ETag and Last-Modified (a repeat gets 304) and are cached like the
/// pages; an unknown author, category, member or paper is a 404, not an empty feed that looks fine.
/// </summary>
public static class FeedsApi
{
    private const int Size = 50;

    public static void MapFeeds(this IEndpointRouteBuilder app) =>
        app.MapGet("/feeds/{**path}", FeedAsync).CacheOutput(FreshOutputCachePolicy.Search).WithTags("feeds")
            .WithSummary("A list as RSS 2.0 (.rss), Atom 1.0 (.atom) or JSON Feed 1.1 (.json): daily, daily/{date}, trending, new/{category}, search?q=, authors/{name}, users/{handle}/upvotes, papers/{id}/comments");

    /// <summary>The feed links of a page: (title, path without the format's extension, query).</summary>
    public sealed record FeedLink(string Title, string Path, string Query = "")
    {
        public string Url(string format) => $"/feeds/{Path}.{format}{Query}";
    }

    private static async Task<IResult> FeedAsync(
        string path, HttpContext http, SiteUrl site, CachedReads reads, TrendingReads trending, SearchEngine search,
        IAccountStore accounts, IVoteStore votes, ICommentStore comments, ILibraryStore library, TimeProvider clock, CancellationToken ct)
    {
        var dot = path.LastIndexOf('.');
        var format = dot > 0 ? path[(dot + 1)..] : "";
        if (!FeedFormats.MediaTypes.ContainsKey(format))
            return NotFound($"'{TextNormalizer.Clip(path)}': a feed ends in .rss, .atom or .json");
        var list = path[..dot];
        var baseUrl = site.Base(http);
        var self = $"{baseUrl}/feeds/{path}{http.Request.QueryString}";
        FeedContent? content;
        try
        {
            if (list.StartsWith("collections/", StringComparison.Ordinal))
            {
                // Library edits do not move the change stamp the output cache keys on: a collection's feed is made
                // each time (ETag and 304 still spare the bytes).
                if (http.Features.Get<Microsoft.AspNetCore.OutputCaching.IOutputCacheFeature>() is { } cache)
                    cache.Context.AllowCacheStorage = false;
                content = await CollectionAsync(list["collections/".Length..], baseUrl, self, library, ct);
            }
            else
            {
                content = await BuildAsync(list, http.Request.Query, baseUrl, self, reads, trending, search, accounts, votes, comments, clock, ct);
            }
        }
        catch (FeedRequestException ex)
        {
            return ex.Status == 404 ? NotFound(ex.Message) : Results.Problem(statusCode: ex.Status, title: "Bad request", detail: ex.Message);
        }
        if (content is null)
            return NotFound($"no feed '{TextNormalizer.Clip(list)}': see /feeds/daily.rss, /feeds/trending.rss, /feeds/new/cs.CL.rss, /feeds/search.rss?q=…, /feeds/authors/NAME.rss");

        return Respond(http, content, format, "public, max-age=300");
    }

    /// <summary>The feed in the format with its ETag and Last-Modified; a repeat that names them gets 304.</summary>
    internal static IResult Respond(HttpContext http, FeedContent content, string format, string cacheControl)
    {
        var body = FeedFormats.Write(content, format);
        var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..20]}\"");
        var modified = content.Updated;
        http.Response.Headers.ETag = etag.ToString();
        http.Response.Headers.LastModified = modified.ToString("R", CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = cacheControl;
        var request = http.Request.GetTypedHeaders();
        if (request.IfNoneMatch.Count > 0 ? request.IfNoneMatch.Any(t => t.Compare(etag, useStrongComparison: false)) : request.IfModifiedSince is { } since && modified <= since.AddSeconds(1))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(body, FeedFormats.MediaTypes[format] + "; charset=utf-8");
    }

    private sealed class FeedRequestException(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }

    internal static IResult NotFound(string detail) => Results.Problem(statusCode: 404, title: "Not found", detail: detail);

    private static async Task<FeedContent?> BuildAsync(
        string list, IQueryCollection query, string baseUrl, string self, CachedReads reads, TrendingReads trending, SearchEngine search,
        IAccountStore accounts, IVoteStore votes, ICommentStore comments, TimeProvider clock, CancellationToken ct)
    {
        FeedEntry Paper(PaperRecord p) => PaperEntry(p, baseUrl);
        var parts = list.Split('/', 2);
        switch (parts[0])
        {
            case "daily" when parts.Length == 1:
            {
                var latest = await reads.LatestDailyDayAsync(ct) ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
                var page = await reads.DailyAsync(new ListingQuery(new ListingPeriod(latest.AddDays(-13), latest, "day"), null, ListingSort.Published, 0, Size), ct);
                return new("Paperboy: the Daily", "Papers members put on the Daily, newest first", baseUrl + "/", self, page.Items.Select(i => Paper(i.Paper)).ToList());
            }
            case "daily":
            {
                if (!ListingPeriod.TryParse("day", parts[1], out var period, out var error))
                    throw new FeedRequestException(400, error);
                var page = await reads.DailyAsync(new ListingQuery(period, null, ListingSort.Trending, 0, 1_000), ct);
                return new($"Paperboy: the Daily of {Display.Day(period.From)}", "The papers featured that day, most upvoted first",
                    $"{baseUrl}/papers/date/{Display.Day(period.From)}", self, page.Items.Select(i => Paper(i.Paper)).ToList());
            }
            case "trending" when parts.Length == 1:
            {
                var name = query["period"].ToString() is { Length: > 0 } p ? p : "week";
                if (!TrendingReads.TryWindow(name, out var window))
                    throw new FeedRequestException(400, $"period: '{TextNormalizer.Clip(name)}' must be day, week or month");
                var ranked = await trending.RankAsync(window, ct);
                return new($"Paperboy: trending {window.Words}", "Featured papers by their trending score", $"{baseUrl}/papers/trending?period={name}", self,
                    ranked.Take(Size).Select(e => Paper(e.Paper) with { Text = e.Explanation + "\n\n" + e.Paper.Abstract }).ToList());
            }
            case "new" when parts.Length == 2:
            {
                var category = parts[1];
                if (!Categories.IsValid(category) || !(await reads.CategoriesAsync(new ListingPeriod(DateOnly.MinValue, DateOnly.MaxValue, "all"), ct)).Any(c => c.Category == category))
                    throw new FeedRequestException(404, $"no papers in category '{TextNormalizer.Clip(category)}' here");
                var latest = await reads.LatestDayAsync(ct) ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
                // The last month of announcements in the category; a quiet category (or an old import) reaches further back.
                var page = await reads.ListingAsync(new ListingQuery(new ListingPeriod(latest.AddDays(-30), latest, "month"), category, ListingSort.Published, 0, 200), ct);
                if (page.Items.Count == 0)
                    page = await reads.ListingAsync(new ListingQuery(new ListingPeriod(DateOnly.MinValue, latest, "all"), category, ListingSort.Published, 0, 200), ct);
                return new($"Paperboy: new in {category}", $"The latest papers arXiv announced in {category}", $"{baseUrl}/papers/date/{Display.Day(latest)}?view=all&category={category}", self,
                    page.Items.Select(i => Paper(i.Paper) with { Published = Midnight(i.ListingDay) }).ToList());
            }
            case "search" when parts.Length == 1:
            {
                var q = query["q"].ToString();
                if (string.IsNullOrWhiteSpace(q))
                    throw new FeedRequestException(400, "q: give something to search for");
                if (!SearchModes.TryParse(query["mode"].ToString() is { Length: > 0 } m ? m : null, out var mode))
                    throw new FeedRequestException(400, "mode: must be hybrid, keyword or semantic");
                SearchResponse result;
                try
                {
                    result = await search.SearchAsync(new SearchRequest(q, mode, Limit: Size), ct);
                }
                catch (SearchQueryException ex)
                {
                    throw new FeedRequestException(400, "q: " + ex.Message);
                }
                return new($"Paperboy: search “{TextNormalizer.Clip(q, 80)}”", "The best matches for a saved search", $"{baseUrl}/search?q={Uri.EscapeDataString(q)}", self,
                    result.Hits.Select(h => Paper(h.Paper)).ToList());
            }
            case "authors" when parts.Length == 2:
            {
                var name = parts[1].Trim();
                var papers = name.Length is > 0 and <= 200 ? await reads.Store.GetPapersByAuthorAsync(name, Size, ct) : [];
                if (papers.Count == 0)
                    throw new FeedRequestException(404, $"no papers by an author named exactly '{TextNormalizer.Clip(name)}' here");
                return new($"Paperboy: papers by {name}", $"New papers and versions by {name}", $"{baseUrl}/search?q={Uri.EscapeDataString("\"" + name + "\"")}", self,
                    papers.Select(Paper).ToList());
            }
            case "users" when parts.Length == 2 && parts[1].EndsWith("/upvotes", StringComparison.Ordinal):
            {
                var handle = parts[1][..^"/upvotes".Length];
                var member = handle.Length is >= 2 and <= 32 ? await accounts.FindUserByHandleAsync(handle, ct) : null;
                if (member is null || !member.VotesPublic)
                    throw new FeedRequestException(404, $"no member '{TextNormalizer.Clip(handle)}' with public upvotes");
                var upvoted = await votes.GetUpvotedAsync(member.Id, Size, ct);
                return new($"Paperboy: upvoted by {member.Name}", $"Papers {member.Handle} upvoted", $"{baseUrl}/users/{member.Handle}", self, upvoted.Select(Paper).ToList());
            }
            case "papers" when parts.Length == 2 && parts[1].EndsWith("/comments", StringComparison.Ordinal):
            {
                var id = parts[1][..^"/comments".Length];
                var details = ArxivId.IsPaperId(id) ? await reads.Store.GetPaperAsync(id, ct) : null;
                if (details is null)
                    throw new FeedRequestException(404, $"no paper '{TextNormalizer.Clip(id)}' here");
                var all = await comments.ListAsync(id, ct);
                var entries = all.Where(c => c.Visible).OrderByDescending(c => c.Id).Take(Size).Select(c => new FeedEntry(
                    $"{baseUrl}/papers/{id}#comment-{c.Id}", $"{c.AuthorName ?? c.AuthorHandle ?? "deleted member"} on “{details.Paper.Title}”",
                    $"{baseUrl}/papers/{id}#comment-{c.Id}", null, CommentMarkdown.ToPlainText(c.Body), CommentMarkdown.ToHtml(c.Body),
                    [c.AuthorHandle ?? "deleted member"], [], c.CreatedAt, c.EditedAt ?? c.CreatedAt)).ToList();
                return new($"Paperboy: discussion of “{details.Paper.Title}”", "Comments, newest first", $"{baseUrl}/papers/{id}#comments", self, entries);
            }
            default:
                return null;
        }
    }

    /// <summary>A public collection in its owner's order, each paper with the owner's note; private or unknown: 404.</summary>
    private static async Task<FeedContent> CollectionAsync(string handleAndSlug, string baseUrl, string self, ILibraryStore library, CancellationToken ct)
    {
        var parts = handleAndSlug.Split('/');
        var found = parts.Length == 2 && parts[0].Length is >= 2 and <= 32 && parts[1].Length is > 0 and <= 100
            ? await library.FindCollectionAsync(parts[0], parts[1], ct) : null;
        if (found is not { IsPublic: true })
            throw new FeedRequestException(404, $"no public collection '{TextNormalizer.Clip(handleAndSlug)}'");
        var items = await library.GetItemsAsync(found.Id, ct);
        return new($"Paperboy: {found.Name} (a collection by {found.OwnerHandle})", found.Description ?? $"Papers {found.OwnerHandle} collected",
            $"{baseUrl}/collections/{Uri.EscapeDataString(found.OwnerHandle)}/{Uri.EscapeDataString(found.Slug)}", self,
            items.OrderBy(i => i.Position).Take(Size).Select(i =>
            {
                var entry = PaperEntry(i.Paper, baseUrl);
                return i.Note is { Length: > 0 } note ? entry with { Text = $"{found.OwnerHandle}: {note}\n\n{entry.Text}" } : entry;
            }).ToList());
    }

    private static DateTimeOffset Midnight(DateOnly d) => new(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>A paper as a feed entry: its id and version are the entry's id, so a new version is a new entry.</summary>
    internal static FeedEntry PaperEntry(PaperRecord p, string baseUrl)
    {
        var published = p.FeaturedAt ?? (p.PublishedOn is { } pub ? Midnight(pub) : DateTimeOffset.UnixEpoch);
        var updated = p.UpdatedOn is { } upd && Midnight(upd) > published ? Midnight(upd) : published;
        var id = p.IsLocal ? $"{baseUrl}/papers/{p.Id}" : $"https://arxiv.org/abs/{p.Id}{(p.Version is { } v ? "v" + v.ToString(CultureInfo.InvariantCulture) : "")}";
        return new FeedEntry(id, p.Title, $"{baseUrl}/papers/{p.Id}", p.AbsUrl, p.Abstract, null, p.Authors, p.Categories.Where(Categories.IsArxiv).ToList(), published, updated);
    }
}
