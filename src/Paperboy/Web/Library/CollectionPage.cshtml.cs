using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Accounts;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Web.Account;
using Paperboy.Web.Community;

namespace Paperboy.Web.Library;

/// <summary>
/// <c>/collections/{handle}/{slug}</c>: a collection's papers in order with their notes, readable by anyone when
/// public. A private one is "not found" for everyone but its owner (the same page a wrong address gets, so its
/// existence does not leak). The owner edits it here without scripts: name, description, visibility, notes, order
/// (up and down), removal, and adding a paper by its id.
/// </summary>
public sealed class CollectionPageModel(ILibraryStore library, Members members, AbuseLimits limits, TimeProvider clock) : PageModel
{
    [FromRoute] public string Handle { get; set; } = "";
    [FromRoute] public string Slug { get; set; } = "";

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public bool Public { get; set; }
    [BindProperty] public string? PaperId { get; set; }
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public int Position { get; set; }
    [BindProperty] public string? ConfirmName { get; set; }

    public Collection? Collection { get; private set; }
    public IReadOnlyList<CollectionItem> Items { get; private set; } = [];
    public bool IsOwner { get; private set; }
    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var viewer = await members.CurrentAsync(HttpContext);
        Collection = await LibraryApi.VisibleAsync(Handle, Slug, viewer, library, ct);
        if (Collection is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            ViewData["Title"] = "Not found";
            return Page();
        }
        // A private list is the owner's page: no shared caches.
        if (!Collection.IsPublic)
            Response.Headers.CacheControl = "private, no-store";
        IsOwner = viewer?.Id == Collection.OwnerId;
        Items = await library.GetItemsAsync(Collection.Id, ct);
        ViewData["Title"] = Collection.Name;
        if (Collection.IsPublic)
            ViewData["Feeds"] = new List<Feeds.FeedsApi.FeedLink> { new($"the collection “{Collection.Name}”", $"collections/{Uri.EscapeDataString(Collection.OwnerHandle)}/{Uri.EscapeDataString(Collection.Slug)}") };
        return Page();
    }

    public Task<IActionResult> OnPostEditAsync(CancellationToken ct) => AsOwnerAsync(async (member, c, now) =>
    {
        var name = Collections.Name(Name, out var problem);
        var description = Collections.Text(Description, Collections.MaxDescriptionLength, "Description", out var descriptionProblem);
        if (name is null || descriptionProblem.Length > 0)
            return await AgainAsync(400, name is null ? problem : descriptionProblem, ct);
        await library.UpdateCollectionAsync(member.Id, c.Id, name, description, Public, now, ct);
        return Redirect(LibraryUrls.Collection(c));
    }, ct);

    public Task<IActionResult> OnPostAddAsync(CancellationToken ct) => AsOwnerAsync(async (member, c, now) =>
    {
        if (!ArxivId.TryParse(PaperId, out var id, out _) && !ArxivId.IsPaperId(PaperId))
            return await AgainAsync(400, $"'{TextNormalizer.Clip(PaperId ?? "")}' is not an arXiv id or link such as 2503.11731.", ct);
        id ??= PaperId!;
        var note = Collections.Text(Note, Collections.MaxNoteLength, "Note", out var problem);
        if (problem.Length > 0)
            return await AgainAsync(400, problem, ct);
        if (c.Papers >= Collections.MaxPapers)
            return await AgainAsync(409, $"A collection holds at most {Collections.MaxPapers:N0} papers.", ct);
        return await library.AddItemAsync(member.Id, c.Id, id, note, now, ct)
            ? Redirect(LibraryUrls.Collection(c) + "#item-" + id)
            : await AgainAsync(404, $"Paperboy has no paper {id}: submit it first (Submit, at the top), then add it here.", ct);
    }, ct);

    public Task<IActionResult> OnPostNoteAsync(CancellationToken ct) => AsOwnerAsync(async (member, c, now) =>
    {
        var note = Collections.Text(Note, Collections.MaxNoteLength, "Note", out var problem);
        if (problem.Length > 0)
            return await AgainAsync(400, problem, ct);
        await library.SetNoteAsync(member.Id, c.Id, PaperId ?? "", note, now, ct);
        return Redirect(LibraryUrls.Collection(c) + "#item-" + PaperId);
    }, ct);

    public Task<IActionResult> OnPostMoveAsync(CancellationToken ct) => AsOwnerAsync(async (member, c, now) =>
    {
        await library.MoveItemAsync(member.Id, c.Id, PaperId ?? "", Position, now, ct);
        return Redirect(LibraryUrls.Collection(c) + "#item-" + PaperId);
    }, ct);

    public Task<IActionResult> OnPostRemoveAsync(CancellationToken ct) => AsOwnerAsync(async (member, c, now) =>
    {
        await library.RemoveItemAsync(member.Id, c.Id, PaperId ?? "", now, ct);
        return Redirect(LibraryUrls.Collection(c));
    }, ct);

    public Task<IActionResult> OnPostDeleteAsync(CancellationToken ct) => AsOwnerAsync(async (member, c, now) =>
    {
        if (!string.Equals(ConfirmName?.Trim(), c.Name, StringComparison.Ordinal))
            return await AgainAsync(400, $"Type the collection's name, “{c.Name}”, to delete it.", ct);
        await library.DeleteCollectionAsync(member.Id, c.Id, now, ct);
        return Redirect("/collections");
    }, ct);

    /// <summary>Only the owner writes; to anyone else the collection does not exist (404, as for a wrong address).</summary>
    private async Task<IActionResult> AsOwnerAsync(Func<User, Collection, DateTimeOffset, Task<IActionResult>> write, CancellationToken ct)
    {
        var member = await members.CurrentAsync(HttpContext);
        if (member is null)
            return Challenge();
        var c = await LibraryApi.OwnedAsync(Handle, Slug, member, library, ct);
        if (c is null)
        {
            Collection = null;
            Response.StatusCode = StatusCodes.Status404NotFound;
            ViewData["Title"] = "Not found";
            return Page();
        }
        if (!limits.TryAcquire(AbuseLimits.Library, "member:" + member.Id, out var wait))
        {
            AbuseLimits.SetRetryAfter(Response, wait);
            return await AgainAsync(429, $"Many library changes in the last minute. Please wait {Display.Duration(wait)}.", ct);
        }
        return await write(member, c, clock.GetUtcNow());
    }

    private async Task<IActionResult> AgainAsync(int status, string problem, CancellationToken ct)
    {
        var page = await OnGetAsync(ct);
        Response.StatusCode = status;
        Problem = problem;
        return page;
    }
}
