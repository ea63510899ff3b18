using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Core.Search.FullText;

namespace Paperboy.Web.Search;

/// <summary>Search: hybrid by default, with modes, filters, sort, highlighted matches, paging and an explain view.</summary>
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = FreshOutputCachePolicy.Search)]
public sealed class SearchModel(SearchEngine engine) : PageModel
{
    public const int PageSize = 20;

    [FromQuery(Name = "q")] public string? Query { get; set; }
    [FromQuery(Name = "mode")] public string? ModeText { get; set; }
    [FromQuery(Name = "category")] public string? Category { get; set; }
    [FromQuery(Name = "from")] public string? FromText { get; set; }
    [FromQuery(Name = "to")] public string? ToText { get; set; }
    [FromQuery(Name = "sort")] public string? SortText { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    [FromQuery(Name = "explain")] public bool Explain { get; set; }

    public SearchResponse? Result { get; private set; }
    public string? Problem { get; private set; }
    public SearchMode Mode { get; private set; }
    public string? SemanticStatus => engine.SemanticStatus;

    public (int Embedded, int Papers)? SemanticCoverage => engine.SemanticCoverage;
    public int PageCount => Result is null ? 0 : Math.Max(1, (Result.Total + PageSize - 1) / PageSize);

    /// <summary>
    /// What the count means: keyword search can say how many papers contain the words, but every paper is somewhat
    /// close in meaning, so semantic and hybrid lists are "the best N", not "N matches".
    /// </summary>
    public string Summary(SearchResponse r)
    {
        var total = r.Total.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        return r switch
        {
            { Total: 0 } => "No results",
            { DirectHit: true, Total: 1 } => "1 result",
            { Mode: SearchMode.Keyword, WordMatches: { } n } when n > r.Total => $"{Display.Count(n, "paper matches", "papers match")}; the best {total} are listed",
            { Mode: SearchMode.Keyword } => Display.Count(r.Total, "paper matches", "papers match"),
            { Mode: SearchMode.Semantic } => $"The {total} papers closest in meaning",
            { WordMatches: { } words } => $"The best {total} by words and meaning; {Display.Count(words, "paper matches", "papers match")} the words",
            _ => $"The best {total} by words and meaning",
        };
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Title"] = string.IsNullOrWhiteSpace(Query) ? "Search" : "Search: " + Query;
        ViewData["Query"] = Query;
        if (!string.IsNullOrWhiteSpace(Query))
            ViewData["Feeds"] = new List<Feeds.FeedsApi.FeedLink> { new($"search “{TextNormalizer.Clip(Query, 60)}”", "search", $"?q={Uri.EscapeDataString(Query)}" + (Request.Query["mode"].ToString() is { Length: > 0 } m ? "&mode=" + Uri.EscapeDataString(m) : "")) };
        if (string.IsNullOrWhiteSpace(Query))
            return Page();
        if (!TryParse(out var request, out var problem))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Problem = problem;
            return Page();
        }
        try
        {
            Result = await engine.SearchAsync(request, ct);
        }
        catch (SearchQueryException ex)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Problem = ex.Message;
            return Page();
        }
        if (Result.DirectHit && Result.Hits.Count == 1 && ArxivId.TryParse(Query, out _, out _))
            return Redirect(Display.PaperUrl(Result.Hits[0].Paper.Id));
        return Page();
    }

    private bool TryParse(out SearchRequest request, out string problem)
    {
        request = null!;
        problem = "";
        if (!SearchModes.TryParse(ModeText, out var mode))
        {
            problem = "mode must be hybrid, keyword or semantic";
            return false;
        }
        Mode = mode;
        if (Category is not null && !Categories.IsValid(Category))
        {
            problem = $"'{Category}' is not an arXiv category like cs.CL";
            return false;
        }
        if (!Days.TryParseOptional(FromText, out var from))
        {
            problem = $"from: '{FromText}' is not a date (yyyy-MM-dd)";
            return false;
        }
        if (!Days.TryParseOptional(ToText, out var to))
        {
            problem = $"to: '{ToText}' is not a date (yyyy-MM-dd)";
            return false;
        }
        if (PageNumber is < 1 or > 50)
        {
            problem = "page must be from 1 to 50";
            return false;
        }
        request = new SearchRequest(Query!, Mode, Category, from, to, SortText == "date" ? SearchSort.Date : SearchSort.Relevance, (PageNumber - 1) * PageSize, PageSize);
        return true;
    }

    private HashSet<string>? _words;

    // The query is analysed once per page, not once per title and abstract (40 times).
    public IReadOnlyList<HighlightSegment> Highlight(string text, int maxLength) =>
        engine.FullText.Highlight(text, _words ??= engine.FullText.HighlightWords(Query ?? ""), maxLength);

    public string With(int? page = null, string? mode = "", string? sort = "")
    {
        var q = new List<string> { "q=" + Uri.EscapeDataString(Query ?? "") };
        var m = mode == "" ? ModeText : mode;
        var s = sort == "" ? SortText : sort;
        if (m is { Length: > 0 } && m != "hybrid")
            q.Add("mode=" + Uri.EscapeDataString(m));
        if (Category is not null)
            q.Add("category=" + Uri.EscapeDataString(Category));
        if (FromText is { Length: > 0 })
            q.Add("from=" + Uri.EscapeDataString(FromText));
        if (ToText is { Length: > 0 })
            q.Add("to=" + Uri.EscapeDataString(ToText));
        if (s is { Length: > 0 })
            q.Add("sort=" + Uri.EscapeDataString(s));
        if (page is > 1)
            q.Add("page=" + page.Value.ToString(CultureInfo.InvariantCulture));
        if (Explain)
            q.Add("explain=true");
        return "/search?" + string.Join("&", q);
    }
}
