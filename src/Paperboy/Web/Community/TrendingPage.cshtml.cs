using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Paperboy.Core.Community;
using Paperboy.Hosting;

namespace Paperboy.Web.Community;

/// <summary>Trending over the last day, week or month, with the formula spelled out and each paper's numbers.</summary>
public sealed class TrendingPageModel(TrendingReads trending, IOptions<CommunityOptions> options) : PageModel
{
    [FromQuery(Name = "period")] public string? Period { get; set; }

    public IReadOnlyList<TrendingEntry> Entries { get; private set; } = [];
    public string Window { get; private set; } = "day";
    public double HalfLifeHours => options.Value.TrendingHalfLifeHours;
    public double CommentWeight => options.Value.TrendingCommentWeight;
    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Trending";
        if (!TrendingReads.TryWindow(Period, out var window))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Problem = $"'{Core.Papers.TextNormalizer.Clip(Period ?? "")}' is not day, week or month.";
            return Page();
        }
        Window = Period is null or "" ? "day" : Period;
        ViewData["Feeds"] = new List<Feeds.FeedsApi.FeedLink> { new($"trending ({Window})", "trending", "?period=" + Window) };
        Entries = (await trending.RankAsync(window, ct)).Take(100).ToList();
        return Page();
    }
}
