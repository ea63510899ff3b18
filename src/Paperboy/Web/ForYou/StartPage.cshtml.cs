using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Core.Recommend;
using Paperboy.Web.Account;
using Paperboy.Web.Papers;

namespace Paperboy.Web.ForYou;

/// <summary>
/// <c>/for-you/start</c>, the cold start (offered on /for-you while nothing is saved, and right after sign-up): pick
/// categories, then a few of the week's most upvoted and newest papers in them to save. The categories are kept for
/// the member (the list falls back to them until there are positives) and the picked papers saved.
/// </summary>
[Authorize]
public sealed class StartPageModel(Core.Recommend.ForYou forYou, IForYouStore picks, ILibraryStore library, CachedReads reads, Members members, TimeProvider clock) : PageModel
{
    public const int MaxCategories = 20;
    public const int PerCategory = 6;
    public const int MaxPicks = 50;

    /// <summary>Where "skip" leads (the sign-up's own return address); a finished start shows For you.</summary>
    [BindProperty(SupportsGet = true, Name = "next")] public string? Next { get; set; }

    [BindProperty(SupportsGet = true, Name = "c")] public List<string> Chosen { get; set; } = [];

    [BindProperty(Name = "paper")] public List<string> Papers { get; set; } = [];

    /// <summary>Categories to offer: those with papers in the last month, busiest first.</summary>
    public IReadOnlyList<(string Category, int Count)> Offered { get; private set; } = [];

    /// <summary>The week's papers in the chosen categories, to pick from.</summary>
    public IReadOnlyList<PaperRecord> Candidates { get; private set; } = [];

    public string? Problem { get; private set; }

    public string NextUrl => Account.SignInLinks.SafeReturn(Next ?? "/for-you");

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Start For you";
        var member = (await members.CurrentAsync(HttpContext))!;
        if (Chosen.Count == 0 && !Request.Query.ContainsKey("c"))
            Chosen = [.. await picks.GetCategoriesAsync(member.Id, ct)];
        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var member = (await members.CurrentAsync(HttpContext))!;
        if (!Valid())
            return await ShowAsync(ct);
        var ids = Papers.Where(ArxivId.IsPaperId).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count > MaxPicks)
        {
            Problem = $"paper: pick at most {MaxPicks}, not {ids.Count}";
            return await ShowAsync(ct);
        }
        var now = clock.GetUtcNow();
        await picks.SetCategoriesAsync(member.Id, Chosen, now, ct);
        if (ids.Count > 0)
            await library.SaveManyAsync(member.Id, ids, [], now, ct);
        forYou.Forget(member.Id);
        return Redirect("/for-you");
    }

    private bool Valid()
    {
        Chosen = [.. Chosen.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c.Trim()).Distinct(StringComparer.Ordinal)];
        if (Chosen.FirstOrDefault(c => !Categories.IsValid(c)) is { } bad)
            Problem = $"c: '{TextNormalizer.Clip(bad)}' is not a category such as cs.CL";
        else if (Chosen.Count > MaxCategories)
            Problem = $"c: pick at most {MaxCategories} categories, not {Chosen.Count}";
        return Problem is null;
    }

    private async Task<PageResult> ShowAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Start For you";
        Response.Headers.CacheControl = "private, no-store";
        var latest = await reads.LatestDayAsync(ct) ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        Offered = [.. (await reads.CategoriesAsync(new ListingPeriod(latest.AddDays(-30), latest, "month"), ct))
            .Where(c => Categories.IsArxiv(c.Category)).OrderByDescending(c => c.Count).ThenBy(c => c.Category, StringComparer.Ordinal).Take(40)];
        if (Problem is not null || !Valid())
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var found = new List<PaperRecord>();
        foreach (var category in Chosen)
            found.AddRange((await forYou.PopularAsync([category], Core.Recommend.ForYou.DefaultDays, PerCategory * 3, null, ct))
                .Where(p => found.All(f => f.Id != p.Id)).Take(PerCategory));
        Candidates = found;
        return Page();
    }
}
