using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Hosting;
using Paperboy.Web.Account;
using Paperboy.Web.Community;

namespace Paperboy.Web.Library;

/// <summary>
/// <c>/library</c>: the member's saved papers (newest first, or one tag's), the tags with their counts, exports of
/// what is shown, the import form, and the papers marked "not interested" (<c>?show=not-interested</c>).
/// </summary>
[Authorize]
public sealed class LibraryIndexModel(ILibraryStore library, Core.Recommend.ForYouFeedTokens feedTokens, Members members, AbuseLimits limits, IOptions<WebOptions> options, IOptions<CommunityOptions> community, TimeProvider clock) : PageModel
{
    [FromQuery(Name = "tag")] public string? Tag { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    [FromQuery(Name = "show")] public string? Show { get; set; }
    [BindProperty] public string? PaperId { get; set; }
    [BindProperty] public string? ReturnTo { get; set; }

    public LibraryPage Saved { get; private set; } = new(0, []);
    public int AllSaved { get; private set; }
    public IReadOnlyList<TagCount> Tags { get; private set; } = [];
    public IReadOnlyList<(PaperRecord Paper, DateTimeOffset At)> NotInterested { get; private set; } = [];
    public int Collections { get; private set; }

    /// <summary>On a tag's view: the member's private feed of new papers like the tag's.</summary>
    public Feeds.FeedsApi.FeedLink? TagFeed { get; private set; }
    public int PageSize => options.Value.PageSize;
    public int PageCount => Math.Max(1, (Saved.Total + PageSize - 1) / PageSize);
    public bool ShowNotInterested => Show == "not-interested";
    public int ImportMaxMegabytes => community.Value.ImportMaxBytes / (1024 * 1024);
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Your library";
        var member = (await members.CurrentAsync(HttpContext))!;
        Tag = string.IsNullOrWhiteSpace(Tag) ? null : Tag.Trim();
        PageNumber = Math.Clamp(PageNumber, 1, 100_000);
        Tags = await library.GetTagsAsync(member.Id, ct);
        Saved = await library.GetSavedAsync(member.Id, Tag, (PageNumber - 1) * PageSize, PageSize, ct);
        AllSaved = Tag is null ? Saved.Total : (await library.GetSavedAsync(member.Id, null, 0, 1, ct)).Total;
        NotInterested = await library.GetNotInterestedAsync(member.Id, 200, ct);
        Collections = (await library.GetCollectionsAsync(member.Id, false, ct)).Count;
        if (Tag is not null && Saved.Total == 0)
            Response.StatusCode = StatusCodes.Status404NotFound;
        else if (Tag is not null)
        {
            TagFeed = ForYou.ForYouFeeds.TagLink(await feedTokens.TokenAsync(member.Id, ct), Tag);
            ViewData["Feeds"] = new List<Feeds.FeedsApi.FeedLink> { TagFeed };
        }
        return Page();
    }

    public Task<IActionResult> OnPostRemoveAsync(CancellationToken ct) => WriteAsync((m, id, now) => library.UnsaveAsync(m, id, now, ct), ct);

    public Task<IActionResult> OnPostInterestedAsync(CancellationToken ct) => WriteAsync((m, id, now) => library.ClearNotInterestedAsync(m, id, now, ct), ct);

    private async Task<IActionResult> WriteAsync(Func<long, string, DateTimeOffset, Task<bool>> write, CancellationToken ct)
    {
        var member = (await members.CurrentAsync(HttpContext))!;
        if (!limits.TryAcquire(AbuseLimits.Library, "member:" + member.Id, out var wait))
        {
            AbuseLimits.SetRetryAfter(Response, wait);
            var page = await OnGetAsync(ct);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ViewData["Problem"] = $"Many library changes in the last minute. Please wait {Display.Duration(wait)}.";
            return page;
        }
        if (ArxivId.IsPaperId(PaperId))
            await write(member.Id, PaperId!, clock.GetUtcNow());
        return Redirect(ReturnTo is { } back && back.StartsWith("/library", StringComparison.Ordinal) ? SignInLinks.SafeReturn(back) : "/library");
    }

    public static string Link(string? tag, int page = 1, string? show = null)
    {
        var query = new List<string>();
        if (tag is not null)
            query.Add("tag=" + Uri.EscapeDataString(tag));
        if (page > 1)
            query.Add("page=" + page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (show is not null)
            query.Add("show=" + Uri.EscapeDataString(show));
        return "/library" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }
}
