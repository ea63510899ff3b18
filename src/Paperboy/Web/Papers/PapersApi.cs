using Microsoft.AspNetCore.Http.HttpResults;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Web.Search;

namespace Paperboy.Web.Papers;

/// <summary>The JSON API: Hugging Face's /api/daily_papers shape, and one paper by id.</summary>
public static class PapersApi
{
    public const int MaxLimit = 1_000;
    public const int DefaultLimit = 50;

    /// <summary>The papers feature's services: listing reads cached until the store changes.</summary>
    public static IServiceCollection AddPapers(this IServiceCollection services) => services.AddSingleton<CachedReads>();

    /// <summary>The papers feature's API (its pages are Listing and Paper, beside this file).</summary>
    public static void MapPapers(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("papers");
        api.MapGet("/daily_papers", GetDailyPapers)
            .CacheOutput(FreshOutputCachePolicy.Listing)
            .WithSummary("Papers listed on a day, week or month (Hugging Face's daily_papers shape)")
            .WithDescription("With no period: the latest day with papers. `p` is the 0-based page. Without `limit`, a `date` query returns the whole day (up to 1,000) and other queries 50. A bad parameter gets a 400 problem naming it.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        // New-style ids: its own route, so the OpenAPI document shows it; old-style ids (hep-th/9901001/similar)
        // reach the same code through the catch-all below.
        api.MapGet("/papers/{id}/similar", (string id, SearchEngine engine, IPaperReader store, CancellationToken ct, int limit = 10) =>
                SimilarAsync(id, store, engine, limit, ct))
            .CacheOutput(FreshOutputCachePolicy.Search)
            .WithSummary("The papers nearest in meaning to one paper (search's item shape); `limit` 1 to 50, default 10")
            .Produces<List<ApiSearchHit>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/papers/{**id}", GetPaper).CacheOutput(FreshOutputCachePolicy.Search)
            .WithSummary("One paper as Hugging Face answers it (the paper object itself), plus its listing days, versions and older texts")
            .Produces<ApiPaperDetails>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    internal static async Task<Results<Ok<List<ApiDailyPaper>>, ProblemHttpResult>> GetDailyPapers(
        CachedReads reads, Community.TrendingReads trending, TimeProvider clock, CancellationToken ct,
        string? date = null, string? week = null, string? month = null, string? p = null, string? limit = null,
        string? sort = null, string? category = null, string? view = null)
    {
        if (view is not (null or "" or "daily" or "all"))
            return Bad($"view: '{TextNormalizer.Clip(view)}' must be daily (the featured papers, the default) or all (arXiv's announcement list)");
        var all = view == "all";
        var given = new[] { ("date", date), ("week", week), ("month", month) }.Where(x => x.Item2 is not null).ToList();
        if (given.Count > 1)
            return Bad("give only one of date, week and month");

        var pageSize = date is not null ? MaxLimit : DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize < 1 || pageSize > MaxLimit))
            return Bad($"limit: '{TextNormalizer.Clip(limit)}' must be a whole number from 1 to {MaxLimit}");
        var page = 0;
        if (p is not null && (!int.TryParse(p, out page) || page < 0 || page > 100_000))
            return Bad($"p: '{TextNormalizer.Clip(p)}' must be a page number from 0");
        ListingSort order;
        var byTrendingScore = false;
        switch (sort)
        {
            case "trending" when !all: order = ListingSort.Trending; byTrendingScore = true; break;
            case null or "" or "trending" or "upvotes": order = ListingSort.Trending; break;
            case "publishedAt" or "published" or "date": order = ListingSort.Published; break;
            default: return Bad($"sort: '{TextNormalizer.Clip(sort)}' must be trending, upvotes or publishedAt");
        }
        if (category is not null && !Categories.IsValid(category))
            return Bad($"category: '{TextNormalizer.Clip(category)}' is not an arXiv category like cs.CL");

        ListingPeriod period;
        if (given.Count == 1)
        {
            var (name, value) = given[0];
            if (!ListingPeriod.TryParse(name, value, out period, out var error))
                return Bad($"{name}: {error}");
        }
        else
        {
            // Today's Daily, else the latest day with featured papers (or, for view=all, the latest listing day).
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var latest = all ? await reads.LatestDayAsync(ct) : await reads.LatestDailyDayAsync(ct) is { } d && d < today ? d : today;
            if (latest is null)
                return TypedResults.Ok(new List<ApiDailyPaper>());
            period = ListingPeriod.Day(latest.Value);
        }

        if (byTrendingScore)
        {
            // The trending score of now, among the period's featured papers.
            var window = Math.Max(1, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).DayNumber - period.From.DayNumber + 1);
            var ranked = (await trending.RankAsync((window, ""), ct))
                .Where(e => e.Paper.DailyDay >= period.From && e.Paper.DailyDay <= period.To && (category is null || e.Paper.Categories.Contains(category)));
            return TypedResults.Ok(ranked.Skip(page * pageSize).Take(pageSize).Select(e => ApiDailyPaper.From(new ListedPaper(e.Paper, e.Paper.DailyDay!.Value))).ToList());
        }
        var query = new ListingQuery(period, category, order, page * pageSize, pageSize);
        var result = all ? await reads.ListingAsync(query, ct) : await reads.DailyAsync(query, ct);
        return TypedResults.Ok(result.Items.Select(ApiDailyPaper.From).ToList());
    }

    internal static async Task<IResult> GetPaper(string id, IPaperReader store, SearchEngine engine, Core.Community.ICommentStore comments, CancellationToken ct, int limit = 10)
    {
        // Old-style ids hold a slash, so /papers/{id}/similar shares the catch-all route.
        if (id.EndsWith("/comments", StringComparison.Ordinal))
            return await CommentsAsync(id[..^"/comments".Length], store, comments, ct);
        return id.EndsWith("/similar", StringComparison.Ordinal)
            ? await SimilarAsync(id[..^"/similar".Length], store, engine, limit, ct)
            : await GetPaperAsync(id, store, ct);
    }

    private static async Task<IResult> SimilarAsync(string paperId, IPaperReader store, SearchEngine engine, int limit, CancellationToken ct) =>
        ArxivId.IsPaperId(paperId)
            ? await SearchApi.SimilarAsync(paperId, engine, store, limit, ct)
            : Bad($"id: '{TextNormalizer.Clip(paperId)}' is not an arXiv id (2503.11731, hep-th/9901001) or a local id");

    private static async Task<Results<Ok<ApiPaperDetails>, ProblemHttpResult>> GetPaperAsync(string id, IPaperReader store, CancellationToken ct)
    {
        var canonical = ArxivId.TryParse(id, out var arxiv, out _) ? arxiv : id;
        if (!ArxivId.IsPaperId(canonical))
            return Bad($"id: '{TextNormalizer.Clip(id)}' is not an arXiv id (2503.11731, hep-th/9901001) or a local id");
        var details = await store.GetPaperAsync(canonical, ct);
        if (details is null)
            return TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"No paper {canonical} here. Import or ingest it first.");
        var paper = details.Paper;
        return TypedResults.Ok(new ApiPaperDetails(
            ApiPaper.From(paper, details.ListingDays.Count > 0 ? details.ListingDays[^1] : null),
            details.ListingDays.Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList(),
            paper.Versions.Select(v => new ApiVersion(v.Version, v.CreatedAt)).ToList(),
            details.Revisions.Select(r => new ApiRevision(ApiPaper.Iso(r.AsOf), r.Version, r.Title, r.Authors, r.Abstract)).ToList()));
    }

    private static async Task<IResult> CommentsAsync(string id, IPaperReader store, Core.Community.ICommentStore comments, CancellationToken ct)
    {
        if (!ArxivId.IsPaperId(id))
            return Bad($"id: '{TextNormalizer.Clip(id)}' is not an arXiv id (2503.11731, hep-th/9901001) or a local id");
        if (await store.GetPaperAsync(id, ct) is null)
            return TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"No paper {id} here.");
        var list = await comments.ListAsync(id, ct);
        // Hidden and deleted comments without visible replies are left out; with replies they keep their place.
        var withReplies = list.Where(c => c.Visible && c.ParentId is not null).Select(c => c.ParentId!.Value).ToHashSet();
        return TypedResults.Ok(list.Where(c => c.Visible || withReplies.Contains(c.Id)).Select(Community.ApiComment.From).ToList());
    }

    private static ProblemHttpResult Bad(string detail) => TypedResults.Problem(statusCode: 400, title: "Bad request", detail: detail);

}
