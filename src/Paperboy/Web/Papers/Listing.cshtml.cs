using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Paperboy.Core.Papers;
using Paperboy.Hosting;

namespace Paperboy.Web.Papers;

/// <summary>The daily page, and the same list for a week or a month. <c>/</c> shows the latest day with papers.</summary>
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = FreshOutputCachePolicy.Listing)]
public sealed class ListingModel(CachedReads reads, IOptions<WebOptions> options) : PageModel
{
    [FromRoute] public string? Kind { get; set; }
    [FromRoute] public string? Value { get; set; }
    [FromQuery(Name = "category")] public string? Category { get; set; }
    [FromQuery(Name = "sort")] public string? Sort { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public ListingPeriod? Period { get; private set; }
    public ListingPage Result { get; private set; } = new(0, []);
    public DateOnly? Previous { get; private set; }
    public DateOnly? Next { get; private set; }
    public IReadOnlyList<(string Category, int Count)> CategoryCounts { get; private set; } = [];
    public ListingSort Order { get; private set; }
    public int PageSize => options.Value.PageSize;
    public int PageCount => Math.Max(1, (Result.Total + PageSize - 1) / PageSize);
    public string? Problem { get; private set; }
    public bool DatabaseEmpty { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Kind is null)
        {
            var latest = await reads.LatestDayAsync(ct);
            if (latest is null)
            {
                DatabaseEmpty = true;
                return Page();
            }
            Period = ListingPeriod.Day(latest.Value);
        }
        else
        {
            if (!ListingPeriod.TryParse(Kind == "date" ? "day" : Kind, Value, out var period, out var error))
                return Fail(StatusCodes.Status400BadRequest, error);
            Period = period;
        }

        if (Category is not null && !Categories.IsValid(Category))
            return Fail(StatusCodes.Status400BadRequest, $"'{Category}' is not an arXiv category like cs.CL");
        if (PageNumber < 1 || PageNumber > 100_000)
            return Fail(StatusCodes.Status400BadRequest, "page must be a number from 1");
        Order = Sort is "published" ? ListingSort.Published : ListingSort.Trending;

        Result = await reads.ListingAsync(new ListingQuery(Period, Category, Order, (PageNumber - 1) * PageSize, PageSize), ct);
        (Previous, Next) = await reads.NeighboursAsync(Period, ct);
        CategoryCounts = (await reads.CategoriesAsync(Period, ct)).Where(c => Categories.IsArxiv(c.Category)).ToList();
        ViewData["Title"] = Heading;
        if (Result.Total == 0)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            Problem = Category is null
                ? $"No papers were listed in {Describe}."
                : $"No {Category} papers were listed in {Describe}.";
        }
        return Page();
    }

    private PageResult Fail(int status, string message)
    {
        Response.StatusCode = status;
        Problem = message;
        ViewData["Title"] = status == 400 ? "Bad request" : "Not found";
        return Page();
    }

    public string Heading => Period is null ? "Daily papers" : Period.Kind switch
    {
        "day" => "Papers of " + Display.LongDay(Period.From),
        "week" => $"Papers of week {Period.Label} ({Display.Day(Period.From)} to {Display.Day(Period.To)})",
        _ => "Papers of " + Period.From.ToString("MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture),
    };

    private string Describe => Period!.Kind switch
    {
        "day" => "arXiv's listing of " + Display.Day(Period.From),
        "week" => "week " + Period.Label,
        _ => "month " + Period.Label,
    };

    /// <summary>The link to the neighbouring period that holds the given day.</summary>
    public string NeighbourUrl(DateOnly day) => Period!.Kind switch
    {
        "day" => "/papers/date/" + Display.Day(day),
        "week" => "/papers/week/" + Display.WeekLabel(day),
        _ => "/papers/month/" + day.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>This page's URL with some query values changed (null removes one).</summary>
    public string With(string? category = "", string? sort = "", int? page = null)
    {
        var path = Kind is null && Period is not null ? Display.PeriodUrl(Period) : Request.Path.Value ?? "/";
        var q = new List<string>();
        var cat = category == "" ? Category : category;
        var s = sort == "" ? Sort : sort;
        if (cat is not null)
            q.Add("category=" + Uri.EscapeDataString(cat));
        if (s is not null)
            q.Add("sort=" + Uri.EscapeDataString(s));
        if (page is > 1)
            q.Add("page=" + page.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return q.Count == 0 ? path : path + "?" + string.Join("&", q);
    }
}
