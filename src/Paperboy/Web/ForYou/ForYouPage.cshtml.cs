using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Recommend;
using Paperboy.Web.Account;

namespace Paperboy.Web.ForYou;

/// <summary><c>/for-you</c>: the member's recommendations, each with the saved papers nearest to it and the terms they share.</summary>
[Authorize]
public sealed class ForYouPageModel(Core.Recommend.ForYou forYou, Members members) : PageModel
{
    [FromQuery(Name = "days")] public int Days { get; set; } = 7;
    [FromQuery(Name = "category")] public string? Category { get; set; }

    public ForYouList? List { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Title"] = "For you";
        Days = Math.Clamp(Days, 1, 31);
        Category = Core.Papers.Categories.IsValid(Category ?? "") ? Category : null;
        var member = (await members.CurrentAsync(HttpContext))!;
        List = await forYou.RecommendAsync(member.Id, Days, 50, Category, ct);
        Response.Headers.CacheControl = "private, no-store";
        return Page();
    }
}
