using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Accounts;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Web.Account;
using Paperboy.Web.Community;

namespace Paperboy.Web.Library;

/// <summary>
/// One paper in the member's library, without scripts: save it with tags, take it out, mark it "not interested",
/// put it in a collection (or a new one). The cached cards' buttons are GET forms to here (a shared page carries no
/// per-member token); this page's forms post with one. With scripts on, the cards do all this in place.
/// </summary>
[Authorize]
public sealed class PaperActionsModel(IPaperReader papers, ILibraryStore library, Members members, AbuseLimits limits, TimeProvider clock) : PageModel
{
    [FromRoute] public string Id { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [FromQuery(Name = "do")] public string? Do { get; set; }
    [FromQuery(Name = "done")] public string? Done { get; set; }

    [BindProperty] public string? Tags { get; set; }
    [BindProperty] public long? CollectionId { get; set; }
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public string? NewCollection { get; set; }
    [BindProperty] public bool NewCollectionPublic { get; set; }

    public PaperRecord? Paper { get; private set; }
    public PaperMarks Marks { get; private set; } = PaperMarks.None("");
    public IReadOnlyList<Collection> MyCollections { get; private set; } = [];
    public IReadOnlyList<string> MyTags { get; private set; } = [];
    public string? Problem { get; private set; }

    public string Back => SignInLinks.SafeReturn(ReturnUrl is { Length: > 0 } ? ReturnUrl : Display.PaperUrl(Id));

    public string? Notice => Done switch
    {
        "saved" => "Saved to your library.",
        "removed" => "Taken out of your library.",
        "not-interested" => "Marked “not interested”: it will count against papers like it.",
        "interested" => "The “not interested” mark is gone.",
        "collected" => "Added to the collection.",
        _ => null,
    };

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Your library";
        return await LoadAsync(ct) ? Page() : Fail(404, $"No paper '{TextNormalizer.Clip(Id)}' here.");
    }

    public Task<IActionResult> OnPostSaveAsync(CancellationToken ct) => WriteAsync(async (member, now) =>
    {
        if (!LibraryTags.TryParseList(Tags, out var tags, out var problem))
            return await AgainAsync(400, "Tags: " + problem, ct);
        return await library.SetTagsAsync(member.Id, Id, tags, now, ct) is null ? await AgainAsync(404, $"No paper {Id} here.", ct) : Finished("saved");
    }, ct);

    public Task<IActionResult> OnPostUnsaveAsync(CancellationToken ct) => WriteAsync(async (member, now) =>
    {
        await library.UnsaveAsync(member.Id, Id, now, ct);
        return Finished("removed");
    }, ct);

    public Task<IActionResult> OnPostNotInterestedAsync(CancellationToken ct) => WriteAsync(async (member, now) =>
        await library.MarkNotInterestedAsync(member.Id, Id, now, ct) ? Finished("not-interested") : await AgainAsync(404, $"No paper {Id} here.", ct), ct);

    public Task<IActionResult> OnPostInterestedAsync(CancellationToken ct) => WriteAsync(async (member, now) =>
    {
        await library.ClearNotInterestedAsync(member.Id, Id, now, ct);
        return Finished("interested");
    }, ct);

    public Task<IActionResult> OnPostCollectAsync(CancellationToken ct) => WriteAsync(async (member, now) =>
    {
        var note = Collections.Text(Note, Collections.MaxNoteLength, "Note", out var problem);
        if (problem.Length > 0)
            return await AgainAsync(400, problem, ct);
        Collection? target;
        if (!string.IsNullOrWhiteSpace(NewCollection))
        {
            var name = Collections.Name(NewCollection, out var nameProblem);
            if (name is null)
                return await AgainAsync(400, nameProblem, ct);
            if ((await library.GetCollectionsAsync(member.Id, false, ct)).Count >= Collections.MaxPerMember)
                return await AgainAsync(409, $"You keep {Collections.MaxPerMember} collections already; delete one first.", ct);
            target = await library.CreateCollectionAsync(member.Id, name, null, NewCollectionPublic, now, ct);
        }
        else
        {
            target = (await library.GetCollectionsAsync(member.Id, false, ct)).FirstOrDefault(c => c.Id == CollectionId);
            if (target is null)
                return await AgainAsync(400, "Choose one of your collections, or name a new one.", ct);
        }
        if (target.Papers >= Collections.MaxPapers)
            return await AgainAsync(409, $"“{target.Name}” holds {Collections.MaxPapers:N0} papers, as many as a collection takes.", ct);
        return await library.AddItemAsync(member.Id, target.Id, Id, note, now, ct) ? Finished("collected") : await AgainAsync(404, $"No paper {Id} here.", ct);
    }, ct);

    private async Task<IActionResult> WriteAsync(Func<User, DateTimeOffset, Task<IActionResult>> write, CancellationToken ct)
    {
        var member = (await members.CurrentAsync(HttpContext))!;
        if (!ArxivId.IsPaperId(Id))
            return Fail(404, $"No paper '{TextNormalizer.Clip(Id)}' here.");
        if (!limits.TryAcquire(AbuseLimits.Library, "member:" + member.Id, out var wait))
        {
            AbuseLimits.SetRetryAfter(Response, wait);
            return await AgainAsync(429, $"Many library changes in the last minute. Please wait {Display.Duration(wait)}.", ct);
        }
        return await write(member, clock.GetUtcNow());
    }

    /// <summary>Back to this page with what was done; its "back" link returns to where the member came from.</summary>
    private RedirectResult Finished(string what) =>
        Redirect($"{LibraryUrls.PaperActions(Id)}?done={what}&ReturnUrl={Uri.EscapeDataString(Back)}");

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Paper = ArxivId.IsPaperId(Id) ? (await papers.GetPaperAsync(Id, ct))?.Paper : null;
        if (Paper is null)
            return false;
        ViewData["Title"] = "Your library: " + Paper.Title;
        var member = (await members.CurrentAsync(HttpContext))!;
        Marks = (await library.GetMarksAsync(member.Id, [Id], ct)) is { Count: > 0 } m ? m[0] : PaperMarks.None(Id);
        MyCollections = await library.GetCollectionsAsync(member.Id, false, ct);
        MyTags = (await library.GetTagsAsync(member.Id, ct)).Select(t => t.Name).ToList();
        return true;
    }

    private async Task<IActionResult> AgainAsync(int status, string problem, CancellationToken ct)
    {
        if (!await LoadAsync(ct))
            return Fail(404, $"No paper '{TextNormalizer.Clip(Id)}' here.");
        Response.StatusCode = status;
        Problem = problem;
        return Page();
    }

    private PageResult Fail(int status, string message)
    {
        Response.StatusCode = status;
        Problem = message;
        ViewData["Title"] = "Not found";
        return Page();
    }
}
