using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Recommend;
using Paperboy.Web.Account;

namespace Paperboy.Web.ForYou;

/// <summary><c>/for-you</c>: the member's recommendations, each with the saved papers nearest to it and the terms they share.</summary>
[Authorize]
public sealed class ForYouPageModel(Core.Recommend.ForYou forYou, ForYouFeedTokens feedTokens, Members members) : PageModel
{
    [FromQuery(Name = "days")] public int Days { get; set; } = 7;
    [FromQuery(Name = "category")] public string? Category { get; set; }

    public ForYouList? List { get; private set; }

    /// <summary>The member's private feed (the token in its URL); shown again after a reset with <see cref="FeedReset"/> set.</summary>
    public Feeds.FeedsApi.FeedLink? Feed { get; private set; }

    [TempData] public bool FeedReset { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Title"] = "For you";
        Days = Math.Clamp(Days, 1, 31);
        Category = Core.Papers.Categories.IsValid(Category ?? "") ? Category : null;
        var member = (await members.CurrentAsync(HttpContext))!;
        List = await forYou.RecommendAsync(member.Id, Days, 50, Category, ct);
        Feed = ForYouFeeds.ForYouLink(await feedTokens.TokenAsync(member.Id, ct));
        ViewData["Feeds"] = new List<Feeds.FeedsApi.FeedLink> { Feed };
        Response.Headers.CacheControl = "private, no-store";
        return Page();
    }

    /// <summary>A new feed token: the old links (For you and every tag's) stop working.</summary>
    public async Task<IActionResult> OnPostResetFeedAsync(CancellationToken ct)
    {
        var member = (await members.CurrentAsync(HttpContext))!;
        await feedTokens.ResetAsync(member.Id, ct);
        FeedReset = true;
        return RedirectToPage(null, null, new { days = Days }, "private-feed");
    }
}
