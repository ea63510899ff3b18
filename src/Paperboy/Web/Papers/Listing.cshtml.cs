using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Paperboy.Core.Papers;
using Paperboy.Hosting;

namespace Paperboy.Web.Papers;

/// <summary>
/// A day, week or month of papers, in two views: the <b>Daily</b> (papers members featured, most upvoted first) and
/// <b>All new</b> (arXiv's announcement list). <c>/</c> is today's Daily; a Daily with nothing featured says so and
/// shows the All-new list under it. The page is the same for every reader (cached); a member's own votes are marked
/// by the page's script after it loads.
/// </summary>
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = FreshOutputCachePolicy.Listing)]
public sealed class ListingModel(CachedReads reads, IOptions<WebOptions> options, TimeProvider clock) : PageModel
{
    [FromRoute] public string? Kind { get; set; }
    [FromRoute] public string? Value { get; set; }
    [FromQuery(Name = "category")] public string? Category { get; set; }
    [FromQuery(Name = "sort")] public string? Sort { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    [FromQuery(Name = "view")] public string? View { get; set; }

    public ListingPeriod? Period { get; private set; }
    /// <summary>The period the All-new list shows (on <c>/</c> with an empty Daily: the latest announcement day).</summary>
    public ListingPeriod? AllPeriod { get; private set; }
    public ListingPage Daily { get; private set; } = new(0, []);
    public ListingPage Result { get; private set; } = new(0, []);
    public int AllTotal { get; private set; }
    public bool AllView { get; private set; }
    /// <summary>The Daily is empty: it says so, and the All-new list follows.</summary>
    public bool ShowAllBelow { get; private set; }
    public DateOnly? Previous { get; private set; }
    public DateOnly? Next { get; private set; }
    public IReadOnlyList<(string Category, int Count)> CategoryCounts { get; private set; } = [];
    public ListingSort Order { get; private set; }
    public int PageSize => options.Value.PageSize;
    public int PageCount => Math.Max(1, ((AllView || ShowAllBelow ? Result.Total : Daily.Total) + PageSize - 1) / PageSize);
    public string? Problem { get; private set; }
    public bool DatabaseEmpty { get; private set; }
    public bool IsHome => Kind is null;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["SharedCache"] = true;
        if (View is not (null or "" or "daily" or "all"))
            return Fail(StatusCodes.Status400BadRequest, $"view '{TextNormalizer.Clip(View)}' is not daily or all");
        AllView = View == "all";
        if (Kind is null)
        {
            var latest = await reads.LatestDayAsync(ct);
            var latestDaily = await reads.LatestDailyDayAsync(ct);
            if (latest is null && latestDaily is null)
            {
                DatabaseEmpty = true;
                return Page();
            }
            Period = ListingPeriod.Day(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
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

        var offset = (PageNumber - 1) * PageSize;
        AllPeriod = Period;
        if (!AllView)
        {
            Daily = await reads.DailyAsync(new ListingQuery(Period, Category, Order, offset, PageSize), ct);
            ShowAllBelow = Daily.Total == 0;
            if (ShowAllBelow && IsHome && await reads.LatestDayAsync(ct) is { } latest && latest < Period.From)
                AllPeriod = ListingPeriod.Day(latest); // today's announcement is not in yet: show the latest one
        }
        if (AllView || ShowAllBelow)
        {
            Result = await reads.ListingAsync(new ListingQuery(AllPeriod, Category, Order, offset, PageSize), ct);
            AllTotal = Result.Total;
        }
        else
        {
            AllTotal = (await reads.ListingAsync(new ListingQuery(Period, Category, ListingSort.Published, 0, 1), ct)).Total;
        }
        var (lp, ln) = await reads.NeighboursAsync(Period, ct);
        var (dp, dn) = await reads.DailyNeighboursAsync(Period, ct);
        (Previous, Next) = (Max(lp, dp), Min(ln, dn));
        CategoryCounts = (await reads.CategoriesAsync(AllPeriod, ct)).Where(c => Categories.IsArxiv(c.Category)).ToList();
        ViewData["Title"] = Heading;
        ViewData["Feeds"] = FeedLinks();
        if (Daily.Total == 0 && Result.Total == 0)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            Problem = Category is null
                ? $"No papers were listed in {Describe}."
                : $"No {Category} papers were listed in {Describe}.";
        }
        return Page();
    }

    private List<Feeds.FeedsApi.FeedLink> FeedLinks()
    {
        var links = new List<Feeds.FeedsApi.FeedLink>();
        if (IsHome)
            links.Add(new("the Daily", "daily"));
        else if (Period!.Kind == "day")
            links.Add(new($"the Daily of {Display.Day(Period.From)}", $"daily/{Display.Day(Period.From)}"));
        if (Category is not null)
            links.Add(new($"new in {Category}", $"new/{Category}"));
        return links;
    }

    private static DateOnly? Max(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static DateOnly? Min(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a < b ? a : b;

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

    public string Describe => Period!.Kind switch
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
    public string With(string? category = "", string? sort = "", int? page = null, string? view = "")
    {
        var path = Kind is null && Period is not null ? Display.PeriodUrl(Period) : Request.Path.Value ?? "/";
        var q = new List<string>();
        var cat = category == "" ? Category : category;
        var s = sort == "" ? Sort : sort;
        var v = view == "" ? View : view;
        if (v is "all")
            q.Add("view=all");
        if (cat is not null)
            q.Add("category=" + Uri.EscapeDataString(cat));
        if (s is not null)
            q.Add("sort=" + Uri.EscapeDataString(s));
        if (page is > 1)
            q.Add("page=" + page.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return q.Count == 0 ? path : path + "?" + string.Join("&", q);
    }
}
