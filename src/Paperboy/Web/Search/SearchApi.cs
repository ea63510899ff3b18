using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Web.Papers;

namespace Paperboy.Web.Search;

public sealed record ApiExplain(string List, int Rank, float Score, double Share);

/// <summary>A search hit in Hugging Face's item shape, with the fused score (and, on request, how it was made).</summary>
public sealed record ApiSearchHit(
    ApiPaper Paper,
    string Title,
    string Summary,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PublishedAt,
    double Score,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ApiExplain>? Explain);

/// <summary><c>GET /api/papers/search</c> and <c>GET /api/papers/{id}/similar</c>.</summary>
public static class SearchApi
{
    public const int MaxLimit = 100;

    /// <summary>The search feature's API (its page is Search, beside this file).</summary>
    public static void MapSearch(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("search");
        api.MapGet("/papers/search", SearchAsync)
            .CacheOutput(FreshOutputCachePolicy.Search)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Search papers: hybrid (BM25 + semantic, fused), keyword or semantic; filters by category and published date");
    }

    internal static async Task<Results<Ok<List<ApiSearchHit>>, ProblemHttpResult>> SearchAsync(
        SearchEngine engine, CancellationToken ct, string? q = null, string? limit = null, string? mode = null, string? category = null,
        string? from = null, string? to = null, string? sort = null, string? p = null, bool explain = false)
    {
        if (string.IsNullOrWhiteSpace(q))
            return Bad("q: give something to search for");
        var size = 20;
        if (limit is not null && (!int.TryParse(limit, CultureInfo.InvariantCulture, out size) || size < 1 || size > MaxLimit))
            return Bad($"limit: must be a whole number from 1 to {MaxLimit}");
        var page = 0;
        if (p is not null && (!int.TryParse(p, CultureInfo.InvariantCulture, out page) || page < 0 || page > 50))
            return Bad("p: must be a page number from 0 to 50");
        if (!SearchModes.TryParse(mode, out var searchMode))
            return Bad("mode: must be hybrid, keyword or semantic");
        if (category is not null && !Categories.IsValid(category))
            return Bad($"category: '{TextNormalizer.Clip(category)}' is not an arXiv category like cs.CL");
        if (!Days.TryParseOptional(from, out var fromDay) || !Days.TryParseOptional(to, out var toDay))
            return Bad("from, to: dates are yyyy-MM-dd");
        if (sort is not (null or "relevance" or "date"))
            return Bad("sort: must be relevance or date");
        try
        {
            var result = await engine.SearchAsync(new SearchRequest(q, searchMode, category, fromDay, toDay,
                sort == "date" ? SearchSort.Date : SearchSort.Relevance, page * size, size), ct);
            return TypedResults.Ok(result.Hits.Select(h => ToApi(h, explain)).ToList());
        }
        catch (SearchQueryException ex)
        {
            return Bad("q: " + ex.Message);
        }
    }

    internal static async Task<Results<Ok<List<ApiSearchHit>>, ProblemHttpResult>> SimilarAsync(string id, SearchEngine engine, IPaperReader store, int limit, CancellationToken ct)
    {
        if (await store.GetPaperAsync(id, ct) is null)
            return TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"No paper {id} here.");
        var hits = await engine.SimilarAsync(id, Math.Clamp(limit, 1, 50), ct);
        return TypedResults.Ok(hits.Select(h => ToApi(h, false)).ToList());
    }

    private static ApiSearchHit ToApi(SearchHit h, bool explain)
    {
        var paper = ApiPaper.From(h.Paper, null);
        return new ApiSearchHit(paper, h.Paper.Title, h.Paper.Abstract, paper.PublishedAt, Math.Round(h.Score, 6),
            explain ? h.Explain.Select(e => new ApiExplain(e.List, e.Rank, e.Score, Math.Round(e.Share, 6))).ToList() : null);
    }

    private static ProblemHttpResult Bad(string detail) => TypedResults.Problem(statusCode: 400, title: "Bad request", detail: detail);

}
