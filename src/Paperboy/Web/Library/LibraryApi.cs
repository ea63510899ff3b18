using System.Text;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Library;
using Paperboy.Core.Library.Exports;
using Paperboy.Core.Papers;
using Paperboy.Web.Account;
using Paperboy.Web.Community;
using Paperboy.Web.Papers;

namespace Paperboy.Web.Library;

/// <summary>
/// The library feature: a member's saved papers with tags, "not interested" marks, collections, BibTeX import, and
/// exports (BibTeX, RIS, CSL-JSON) of a paper, a day, a collection or a library. Writes take a member (cookie with
/// the antiforgery header, or a Bearer token) and share one per-member budget; another member's private collection
/// is a 404 everywhere, never a 403. Its pages (library, paper actions without scripts, import, collections) are
/// beside this file.
/// </summary>
public static class LibraryApi
{
    public static IServiceCollection AddLibrary(this IServiceCollection services)
    {
        services.AddSingleton<LibraryUploads>();
        services.AddSingleton<LibraryImporter>();
        return services;
    }

    public static void MapLibrary(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/me/library").WithTags("library");
        // The size check runs before the member check: a cookie request without the header would otherwise have its
        // whole form read by antiforgery first.
        me.MapPost("/import", ImportAsync).AddEndpointFilter(TooLarge).AddEndpointFilter<RequireMember>()
            .WithSummary("Import a BibTeX file (the body, or a multipart form's `file`; `tag` to tag what it saves)")
            .WithDescription("Papers are found by the arXiv id in eprint, url (abs or pdf) or doi (10.48550/arXiv.ID); those Paperboy has are saved, the others listed with a link to submit them. Broken entries are reported with their line numbers. 413 past Community:ImportMaxBytes (5 MB).");
        var members = me.MapGroup("").AddEndpointFilter<RequireMember>();
        members.MapGet("", async (HttpContext http, ILibraryStore library, string? tag, int? offset, int? limit, CancellationToken ct) =>
            {
                var member = Member(http);
                var page = await library.GetSavedAsync(member.Id, TagOrNull(tag), Math.Max(0, offset ?? 0), Math.Clamp(limit ?? 50, 1, 1000), ct);
                return Results.Ok(new ApiLibraryPage(page.Total, page.Items.Select(s => new ApiSavedPaper(ApiPaper.From(s.Paper, null), s.SavedAt, s.Tags)).ToList()));
            })
            .WithSummary("Your saved papers, newest first (`tag` for one tag's, `offset`, `limit` up to 1,000)");
        members.MapGet("/tags", async (HttpContext http, ILibraryStore library, CancellationToken ct) =>
                Results.Ok((await library.GetTagsAsync(Member(http).Id, ct)).Select(t => new { name = t.Name, papers = t.Papers })))
            .WithSummary("Your tags with how many papers carry each");
        members.MapGet("/not-interested", async (HttpContext http, ILibraryStore library, CancellationToken ct) =>
                Results.Ok((await library.GetNotInterestedAsync(Member(http).Id, 1000, ct)).Select(x => new { id = x.Paper.Id, title = x.Paper.Title, at = x.At })))
            .WithSummary("The papers you marked \"not interested\", newest first");
        members.MapGet("/signals", async (HttpContext http, ILibraryStore library, CancellationToken ct) =>
                Results.Ok((await library.GetSignalsAsync(Member(http).Id, ct)).Select(s => new { id = s.PaperId, positive = s.Positive, source = s.Source.ToString(), at = s.At })))
            .WithSummary("What the recommender learns from you: one signal per paper, the last one winning");
        // Paper ids may hold a slash (hep-th/9901001): the paper routes are catch-alls dispatched on their last part.
        members.MapPost("/papers/{**path}", PaperWriteAsync)
            .WithSummary("`{id}`: save (JSON {\"tags\": [...]} adds tags); `{id}/not-interested`: mark it");
        members.MapPut("/papers/{**path}", PaperWriteAsync).WithSummary("`{id}/tags`: save with exactly these tags (JSON {\"tags\": [...]})");
        members.MapDelete("/papers/{**path}", PaperWriteAsync)
            .WithSummary("`{id}`: remove from the library; `{id}/tags/{tag}`: remove one tag; `{id}/not-interested`: take the mark away");

        var collections = app.MapGroup("/api/collections").WithTags("library");
        collections.MapGet("/{handle}/{slug}", async (string handle, string slug, HttpContext http, ILibraryStore library, Members m, CancellationToken ct) =>
            {
                var c = await VisibleAsync(handle, slug, await m.CurrentAsync(http), library, ct);
                if (c is null)
                    return NoCollection(handle, slug);
                var items = await library.GetItemsAsync(c.Id, ct);
                return Results.Ok(new ApiCollectionWithItems(ApiCollection.From(c), items.Select(i => new ApiCollectionItem(i.Position, i.Note, i.AddedAt, ApiPaper.From(i.Paper, null))).ToList()));
            })
            .WithSummary("A collection with its papers in order and their notes (public ones for anyone; a private one only for its owner, 404 for others)");
        var own = collections.MapGroup("").AddEndpointFilter<RequireMember>();
        own.MapGet("", async (HttpContext http, ILibraryStore library, CancellationToken ct) =>
                Results.Ok((await library.GetCollectionsAsync(Member(http).Id, publicOnly: false, ct)).Select(ApiCollection.From)))
            .WithSummary("Your collections");
        own.MapPost("", CreateCollectionAsync).WithSummary("New collection (JSON {\"name\", \"description\", \"public\"}); 201 with its address");
        own.MapPatch("/{handle}/{slug}", UpdateCollectionAsync).WithSummary("Rename, describe, open or close your collection (JSON {\"name\", \"description\", \"public\"}; the address stays)");
        own.MapDelete("/{handle}/{slug}", async (string handle, string slug, HttpContext http, ILibraryStore library, AbuseLimits limits, TimeProvider clock, CancellationToken ct) =>
            {
                var member = Member(http);
                if (await OwnedAsync(handle, slug, member, library, ct) is not { } c)
                    return NoCollection(handle, slug);
                if (Limit(http, limits, member) is { } tooMany)
                    return tooMany;
                await library.DeleteCollectionAsync(member.Id, c.Id, clock.GetUtcNow(), ct);
                return Results.NoContent();
            })
            .WithSummary("Delete your collection");
        own.MapPost("/{handle}/{slug}/items", AddItemAsync).WithSummary("Add a paper at the end (JSON {\"paperId\", \"note\"}); again: sets the note");
        own.MapPatch("/{handle}/{slug}/items/{**id}", UpdateItemAsync).WithSummary("Change a paper's note or place (JSON {\"note\", \"position\"}, 0 first)");
        own.MapDelete("/{handle}/{slug}/items/{**id}", RemoveItemAsync).WithSummary("Take a paper out of your collection");
        own.MapPut("/{handle}/{slug}/order", ReorderAsync).WithSummary("Put your collection in this order (JSON {\"paperIds\": [...]}, each of its papers once)");

        MapExports(app);
    }

    private static User Member(HttpContext http) => (User)http.Items[Members.MemberItem]!;

    private static string? TagOrNull(string? tag) => string.IsNullOrWhiteSpace(tag) ? null : tag.Trim();

    internal static IResult? Limit(HttpContext http, AbuseLimits limits, User member) =>
        limits.TryAcquire(AbuseLimits.Library, "member:" + member.Id, out var wait) ? null : AbuseLimits.TooMany(http, wait, "Many library changes in the last minute");

    private static IResult NotFound(string detail) => Results.Problem(statusCode: 404, title: "Not found", detail: detail);

    private static IResult NoCollection(string handle, string slug) =>
        NotFound($"No collection '{TextNormalizer.Clip(handle)}/{TextNormalizer.Clip(slug)}' here");

    /// <summary>The collection when <paramref name="viewer"/> may read it: public, or theirs. Anything else is "not found".</summary>
    public static async Task<Collection?> VisibleAsync(string handle, string slug, User? viewer, ILibraryStore library, CancellationToken ct)
    {
        if (!Collections.IsSlug(slug) || handle.Length is < 2 or > 32)
            return null;
        var c = await library.FindCollectionAsync(handle, slug, ct);
        return c is not null && (c.IsPublic || c.OwnerId == viewer?.Id) ? c : null;
    }

    /// <summary>The collection when it is the member's own.</summary>
    public static async Task<Collection?> OwnedAsync(string handle, string slug, User member, ILibraryStore library, CancellationToken ct) =>
        await VisibleAsync(handle, slug, member, library, ct) is { } c && c.OwnerId == member.Id ? c : null;

    private static async ValueTask<object?> TooLarge(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var uploads = http.RequestServices.GetRequiredService<LibraryUploads>();
        if (uploads.TooLarge(http.Request))
            return Results.Problem(statusCode: 413, title: "Too large", detail: uploads.TooLargeMessage(http.Request.ContentLength));
        uploads.LimitForm(http);
        try
        {
            return await next(context);
        }
        catch (InvalidDataException)
        {
            // A chunked form past the limit, found while antiforgery or the import read it.
            return Results.Problem(statusCode: 413, title: "Too large", detail: uploads.TooLargeMessage(null));
        }
    }

    private static async Task<IResult> ImportAsync(HttpContext http, LibraryUploads uploads, LibraryImporter importer, AbuseLimits limits, TimeProvider clock, string? tag, CancellationToken ct)
    {
        var member = Member(http);
        if (!limits.TryAcquire(AbuseLimits.Import, "member:" + member.Id, out var wait))
            return AbuseLimits.TooMany(http, wait, "Many imports in the last hour");
        var upload = await uploads.ReadAsync(http, tag, ct);
        if (upload.Problem is not null)
            return Results.Problem(statusCode: upload.Status, title: upload.Status == 413 ? "Too large" : "Bad request", detail: upload.Problem);
        IReadOnlyList<string> tags = [];
        if (TagOrNull(upload.Tag) is { } t && !LibraryTags.TryParseList(t, out tags, out var problem))
            return CommunityApi.Bad("tag: " + problem);
        var report = await importer.ImportAsync(member.Id, upload.Text!, tags, clock.GetUtcNow(), ct);
        return Results.Ok(ApiImportReport.From(report));
    }

    private static async Task<IResult> PaperWriteAsync(string path, HttpContext http, ILibraryStore library, AbuseLimits limits, TimeProvider clock, CancellationToken ct)
    {
        var member = Member(http);
        var method = http.Request.Method;
        string id, action, tag = "";
        var tagAt = path.LastIndexOf("/tags/", StringComparison.Ordinal);
        if (tagAt > 0)
            (id, action, tag) = (path[..tagAt], "tag", path[(tagAt + 6)..]); // the server decoded the path already
        else if (path.EndsWith("/tags", StringComparison.Ordinal))
            (id, action) = (path[..^5], "tags");
        else if (path.EndsWith("/not-interested", StringComparison.Ordinal))
            (id, action) = (path[..^15], "not-interested");
        else
            (id, action) = (path, "");
        if (!ArxivId.IsPaperId(id))
            return CommunityApi.Bad($"id: '{TextNormalizer.Clip(id)}' is not a paper id such as 2503.11731");
        if (Limit(http, limits, member) is { } tooMany)
            return tooMany;
        var now = clock.GetUtcNow();
        var unknown = NotFound($"No paper {id} here");
        switch (action, method)
        {
            case ("", "POST"):
            case ("tags", "PUT"):
                IReadOnlyList<string> tags = [];
                if (http.Request.ContentLength > 0 || http.Request.HasJsonContentType())
                {
                    var (body, problem) = await CommunityApi.ReadJsonAsync<TagsRequest>(http, "{\"tags\": [\"to read\"]}", ct);
                    if (problem is not null)
                        return problem;
                    if (!LibraryTags.TryNormalizeAll(body!.Tags ?? [], out tags, out var bad))
                        return CommunityApi.Bad("tags: " + bad);
                }
                if (action == "" && tags.Count > 0 && await library.GetMarksAsync(member.Id, [id], ct) is { Count: > 0 } current
                    && !LibraryTags.TryNormalizeAll(current[0].Tags.Concat(tags), out _, out var overLimit))
                    return CommunityApi.Bad("tags: " + overLimit);
                var marks = action == "tags" ? await library.SetTagsAsync(member.Id, id, tags, now, ct) : await library.SaveAsync(member.Id, id, tags, now, ct);
                return marks is null ? unknown : Results.Ok(ApiMarks.From(marks));
            case ("", "DELETE"):
                await library.UnsaveAsync(member.Id, id, now, ct);
                return await MarksAsync(library, member, id, ct);
            case ("tag", "DELETE"):
                await library.RemoveTagAsync(member.Id, id, tag, now, ct);
                return await MarksAsync(library, member, id, ct);
            case ("not-interested", "POST"):
                return await library.MarkNotInterestedAsync(member.Id, id, now, ct) ? await MarksAsync(library, member, id, ct) : unknown;
            case ("not-interested", "DELETE"):
                await library.ClearNotInterestedAsync(member.Id, id, now, ct);
                return await MarksAsync(library, member, id, ct);
            default:
                return NotFound($"'{TextNormalizer.Clip(path)}': use POST or DELETE /api/me/library/papers/{{id}}, PUT {{id}}/tags, DELETE {{id}}/tags/{{tag}}, POST or DELETE {{id}}/not-interested");
        }
    }

    private static async Task<IResult> MarksAsync(ILibraryStore library, User member, string id, CancellationToken ct) =>
        Results.Ok(ApiMarks.From(await library.GetMarksAsync(member.Id, [id], ct) is { Count: > 0 } marks ? marks[0] : PaperMarks.None(id)));

    /// <summary>A new collection's name and description, or an edit's: what the request leaves out stays as it was.</summary>
    private static (string? Name, string? Description, IResult? Problem) CheckCollection(CollectionRequest body, Collection? current)
    {
        var name = current?.Name;
        if (body.Name is not null || current is null)
        {
            name = Collections.Name(body.Name, out var problem);
            if (name is null)
                return (null, null, CommunityApi.Bad(problem));
        }
        var description = current?.Description;
        if (body.Description is not null)
        {
            description = Collections.Text(body.Description, Collections.MaxDescriptionLength, "description", out var problem);
            if (problem.Length > 0)
                return (null, null, CommunityApi.Bad(problem));
        }
        return (name, description, null);
    }

    private static async Task<IResult> CreateCollectionAsync(HttpContext http, ILibraryStore library, AbuseLimits limits, TimeProvider clock, CancellationToken ct)
    {
        var member = Member(http);
        var (body, problem) = await CommunityApi.ReadJsonAsync<CollectionRequest>(http, "{\"name\": \"Reading group\", \"description\": null, \"public\": false}", ct);
        if (problem is not null)
            return problem;
        var (name, description, bad) = CheckCollection(body!, null);
        if (bad is not null)
            return bad;
        if (Limit(http, limits, member) is { } tooMany)
            return tooMany;
        if ((await library.GetCollectionsAsync(member.Id, false, ct)).Count >= Collections.MaxPerMember)
            return Results.Problem(statusCode: 409, title: "Too many collections", detail: $"A member keeps at most {Collections.MaxPerMember} collections; delete one first");
        var c = await library.CreateCollectionAsync(member.Id, name!, description, body!.Public ?? false, clock.GetUtcNow(), ct);
        return Results.Created(LibraryUrls.Collection(c), ApiCollection.From(c));
    }

    private static async Task<IResult> UpdateCollectionAsync(string handle, string slug, HttpContext http, ILibraryStore library, AbuseLimits limits, TimeProvider clock, CancellationToken ct)
    {
        var member = Member(http);
        if (await OwnedAsync(handle, slug, member, library, ct) is not { } c)
            return NoCollection(handle, slug);
        var (body, problem) = await CommunityApi.ReadJsonAsync<CollectionRequest>(http, "{\"name\": \"Reading group\", \"public\": true}", ct);
        if (problem is not null)
            return problem;
        var (name, description, bad) = CheckCollection(body!, c);
        if (bad is not null)
            return bad;
        if (Limit(http, limits, member) is { } tooMany)
            return tooMany;
        var updated = await library.UpdateCollectionAsync(member.Id, c.Id, name!, description, body!.Public ?? c.IsPublic, clock.GetUtcNow(), ct);
        return updated is null ? NoCollection(handle, slug) : Results.Ok(ApiCollection.From(updated));
    }

    private static async Task<IResult> AddItemAsync(string handle, string slug, HttpContext http, ILibraryStore library, AbuseLimits limits, TimeProvider clock, CancellationToken ct)
    {
        var member = Member(http);
        if (await OwnedAsync(handle, slug, member, library, ct) is not { } c)
            return NoCollection(handle, slug);
        var (body, problem) = await CommunityApi.ReadJsonAsync<ItemRequest>(http, "{\"paperId\": \"2503.11731\", \"note\": \"Read section 3\"}", ct);
        if (problem is not null)
            return problem;
        if (!ArxivId.TryParse(body!.PaperId, out var id, out _) && !ArxivId.IsPaperId(body.PaperId))
            return CommunityApi.Bad($"paperId: '{TextNormalizer.Clip(body.PaperId ?? "")}' is not a paper id such as 2503.11731");
        id ??= body.PaperId!;
        var note = Collections.Text(body.Note, Collections.MaxNoteLength, "note", out var noteProblem);
        if (noteProblem.Length > 0)
            return CommunityApi.Bad(noteProblem);
        if (c.Papers >= Collections.MaxPapers)
            return Results.Problem(statusCode: 409, title: "Collection full", detail: $"A collection holds at most {Collections.MaxPapers:N0} papers");
        if (Limit(http, limits, member) is { } tooMany)
            return tooMany;
        if (!await library.AddItemAsync(member.Id, c.Id, id, note, clock.GetUtcNow(), ct))
            return NotFound($"No paper {id} here");
        return await ItemAnswerAsync(library, c, id, ct);
    }

    private static async Task<IResult> ItemAnswerAsync(ILibraryStore library, Collection c, string id, CancellationToken ct)
    {
        var item = (await library.GetItemsAsync(c.Id, ct)).FirstOrDefault(i => i.Paper.Id == id);
        var now = await library.FindCollectionAsync(c.OwnerHandle, c.Slug, ct) ?? c; // its count and time after the change
        return item is null ? NotFound($"{id} is not in this collection")
            : Results.Ok(new { collection = ApiCollection.From(now), item = new ApiCollectionItem(item.Position, item.Note, item.AddedAt, ApiPaper.From(item.Paper, null)) });
    }

    private static async Task<IResult> UpdateItemAsync(string handle, string slug, string id, HttpContext http, ILibraryStore library, AbuseLimits limits, TimeProvider clock, CancellationToken ct)
    {
        var member = Member(http);
        if (await OwnedAsync(handle, slug, member, library, ct) is not { } c)
            return NoCollection(handle, slug);
        var (body, problem) = await CommunityApi.ReadJsonAsync<ItemRequest>(http, "{\"note\": \"Read section 3\", \"position\": 0}", ct);
        if (problem is not null)
            return problem;
        var note = Collections.Text(body!.Note, Collections.MaxNoteLength, "note", out var noteProblem);
        if (noteProblem.Length > 0)
            return CommunityApi.Bad(noteProblem);
        if (Limit(http, limits, member) is { } tooMany)
            return tooMany;
        var now = clock.GetUtcNow();
        var done = true;
        if (body.Note is not null)
            done = await library.SetNoteAsync(member.Id, c.Id, id, note, now, ct);
        if (done && body.Position is { } position)
            done = await library.MoveItemAsync(member.Id, c.Id, id, position, now, ct);
        return done ? await ItemAnswerAsync(library, c, id, ct) : NotFound($"{id} is not in this collection");
    }

    private static async Task<IResult> RemoveItemAsync(string handle, string slug, string id, HttpContext http, ILibraryStore library, AbuseLimits limits, TimeProvider clock, CancellationToken ct)
    {
        var member = Member(http);
        if (await OwnedAsync(handle, slug, member, library, ct) is not { } c)
            return NoCollection(handle, slug);
        if (Limit(http, limits, member) is { } tooMany)
            return tooMany;
        return await library.RemoveItemAsync(member.Id, c.Id, id, clock.GetUtcNow(), ct) ? Results.NoContent() : NotFound($"{id} is not in this collection");
    }

    private static async Task<IResult> ReorderAsync(string handle, string slug, HttpContext http, ILibraryStore library, AbuseLimits limits, TimeProvider clock, CancellationToken ct)
    {
        var member = Member(http);
        if (await OwnedAsync(handle, slug, member, library, ct) is not { } c)
            return NoCollection(handle, slug);
        var (body, problem) = await CommunityApi.ReadJsonAsync<OrderRequest>(http, "{\"paperIds\": [\"2503.11731\", \"2503.14603\"]}", ct);
        if (problem is not null)
            return problem;
        if (Limit(http, limits, member) is { } tooMany)
            return tooMany;
        if (!await library.ReorderAsync(member.Id, c.Id, body!.PaperIds ?? [], clock.GetUtcNow(), ct))
            return CommunityApi.Bad($"paperIds: give each of the collection's {c.Papers} papers once, in the order you want");
        var items = await library.GetItemsAsync(c.Id, ct);
        return Results.Ok(items.Select(i => i.Paper.Id));
    }

    // Exports: stable addresses beside what they export. A paper's and a day's are the same for everyone (cached
    // with the pages); a collection's follows the collection's visibility; a library's is its member's.
    private static void MapExports(IEndpointRouteBuilder app)
    {
        app.MapGet("/papers/{id}/export.{format}", (string id, string format, IPaperReader papers, CancellationToken ct) => PaperExportAsync(id, format, papers, ct))
            .CacheOutput(FreshOutputCachePolicy.Listing).WithTags("exports")
            .WithSummary("One paper as BibTeX (`.bib`), RIS (`.ris`) or CSL-JSON (`.json`)");
        app.MapGet("/papers/{archive}/{number}/export.{format}", (string archive, string number, string format, IPaperReader papers, CancellationToken ct) =>
                PaperExportAsync(archive + "/" + number, format, papers, ct))
            .CacheOutput(FreshOutputCachePolicy.Listing).ExcludeFromDescription();
        app.MapGet("/papers/date/{day}/export.{format}", DayExportAsync)
            .CacheOutput(FreshOutputCachePolicy.Listing).WithTags("exports")
            .WithSummary("A day's papers: the Daily (featured, most upvoted first), or with `view=all` arXiv's announcement list");
        app.MapGet("/collections/{handle}/{slug}/export.{format}", CollectionExportAsync).WithTags("exports")
            .WithSummary("A collection in its order, with its notes (public ones for anyone; a private one only for its owner)");
        app.MapGet("/library/export.{format}", LibraryExportAsync).RequireAuthorization().WithTags("exports")
            .WithSummary("Your saved papers (`tag` for one tag's), with their tags as keywords");
    }

    private static IResult Export(IReadOnlyList<CitationItem> items, CitationFormat format, string baseName) =>
        Results.File(Encoding.UTF8.GetBytes(Citations.Write(items, format)), Citations.ContentType(format), baseName + "." + Citations.Extension(format));

    private static IResult UnknownFormat(string format) =>
        NotFound($"'{TextNormalizer.Clip(format)}' is not an export format: use .bib (BibTeX), .ris (RIS) or .json (CSL-JSON)");

    private static async Task<IResult> PaperExportAsync(string id, string format, IPaperReader papers, CancellationToken ct)
    {
        if (!Citations.TryParseFormat(format, out var f))
            return UnknownFormat(format);
        var paper = ArxivId.IsPaperId(id) ? (await papers.GetPaperAsync(id, ct))?.Paper : null;
        return paper is null ? NotFound($"No paper '{TextNormalizer.Clip(id)}' here") : Export([new CitationItem(paper)], f, paper.Id.Replace('/', '-'));
    }

    private static async Task<IResult> DayExportAsync(string day, string format, string? view, IPaperReader papers, IDailyStore daily, CancellationToken ct)
    {
        if (!Citations.TryParseFormat(format, out var f))
            return UnknownFormat(format);
        if (view is not (null or "" or "daily" or "all"))
            return CommunityApi.Bad($"view: '{TextNormalizer.Clip(view)}' must be daily (the featured papers, the default) or all (arXiv's announcement list)");
        if (!ListingPeriod.TryParse("day", day, out var period, out var error))
            return CommunityApi.Bad("day: " + error);
        var all = view == "all";
        var page = all
            ? await papers.GetListingAsync(new ListingQuery(period, null, ListingSort.Published, 0, 10_000), ct)
            : await daily.GetDailyAsync(new ListingQuery(period, null, ListingSort.Trending, 0, 10_000), ct);
        if (page.Items.Count == 0)
            return NotFound(all ? $"arXiv listed no papers on {period.Label} here" : $"Nothing was featured on the Daily of {period.Label}; add ?view=all for arXiv's listing of the day");
        return Export(page.Items.Select(i => new CitationItem(i.Paper)).ToList(), f, (all ? "arxiv-" : "daily-") + period.Label);
    }

    private static async Task<IResult> CollectionExportAsync(string handle, string slug, string format, HttpContext http, ILibraryStore library, Members members, CancellationToken ct)
    {
        if (!Citations.TryParseFormat(format, out var f))
            return UnknownFormat(format);
        http.Response.Headers.CacheControl = "private, no-store";
        if (await VisibleAsync(handle, slug, await members.CurrentAsync(http), library, ct) is not { } c)
            return NoCollection(handle, slug);
        var items = await library.GetItemsAsync(c.Id, ct);
        return Export(items.Select(i => new CitationItem(i.Paper, i.Note)).ToList(), f, $"{c.OwnerHandle}-{c.Slug}");
    }

    private static async Task<IResult> LibraryExportAsync(string format, string? tag, HttpContext http, ILibraryStore library, Members members, CancellationToken ct)
    {
        if (!Citations.TryParseFormat(format, out var f))
            return UnknownFormat(format);
        http.Response.Headers.CacheControl = "private, no-store";
        var member = await members.CurrentAsync(http);
        if (member is null)
            return Results.Challenge();
        var saved = await library.GetSavedAsync(member.Id, TagOrNull(tag), 0, 100_000, ct);
        var name = TagOrNull(tag) is { } t ? "library-" + Collections.Slug(t) : "library";
        return Export(saved.Items.Select(s => new CitationItem(s.Paper, null, s.Tags)).ToList(), f, name);
    }
}
