using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Library;
using Paperboy.Web.Account;
using Paperboy.Web.Community;

namespace Paperboy.Web.Library;

/// <summary><c>/collections</c>: the member's collections, public and private, and a form for a new one.</summary>
[Authorize]
public sealed class CollectionsModel(ILibraryStore library, Members members, AbuseLimits limits, TimeProvider clock) : PageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public bool Public { get; set; }

    public IReadOnlyList<Collection> Mine { get; private set; } = [];
    public string? Problem { get; private set; }
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Your collections";
        Mine = await library.GetCollectionsAsync((await members.CurrentAsync(HttpContext))!.Id, false, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        var member = (await members.CurrentAsync(HttpContext))!;
        var name = Collections.Name(Name, out var problem);
        var description = Collections.Text(Description, Collections.MaxDescriptionLength, "Description", out var descriptionProblem);
        if (name is null || descriptionProblem.Length > 0)
            return await AgainAsync(400, name is null ? problem : descriptionProblem, ct);
        if (!limits.TryAcquire(AbuseLimits.Library, "member:" + member.Id, out var wait))
        {
            AbuseLimits.SetRetryAfter(Response, wait);
            return await AgainAsync(429, $"Many library changes in the last minute. Please wait {Display.Duration(wait)}.", ct);
        }
        if ((await library.GetCollectionsAsync(member.Id, false, ct)).Count >= Collections.MaxPerMember)
            return await AgainAsync(409, $"You keep {Collections.MaxPerMember} collections already; delete one first.", ct);
        var created = await library.CreateCollectionAsync(member.Id, name, description, Public, clock.GetUtcNow(), ct);
        return Redirect(LibraryUrls.Collection(created));
    }

    private async Task<IActionResult> AgainAsync(int status, string problem, CancellationToken ct)
    {
        var page = await OnGetAsync(ct);
        Response.StatusCode = status;
        Problem = problem;
        return page;
    }
}
