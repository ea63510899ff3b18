using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Community;
using Paperboy.Core.Papers;
using Paperboy.Web.Account;

namespace Paperboy.Web.Community;

/// <summary>
/// The upvote button without JavaScript: the cached pages' button is a GET form to here (a cached page carries no
/// per-member token); this page, made for the member, asks once more with a POST form that does carry one. With
/// scripts on, the button posts to the API instead and this page is never seen.
/// </summary>
[Authorize]
public sealed class UpvoteModel(IPaperReader papers, IVoteStore votes, Members members, AbuseLimits limits, TimeProvider clock) : PageModel
{
    [FromRoute] public string Id { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public PaperRecord? Paper { get; private set; }
    public bool Voted { get; private set; }
    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Upvote";
        if (!await LoadAsync(ct))
            return Page();
        var member = await members.CurrentAsync(HttpContext);
        Voted = (await votes.GetVotedAsync(member!.Id, [Id], ct)).Count > 0;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? action, CancellationToken ct)
    {
        ViewData["Title"] = "Upvote";
        if (!await LoadAsync(ct))
            return Page();
        var member = (await members.CurrentAsync(HttpContext))!;
        if (member.IsBanned)
            return Fail(403, $"An admin has banned this account ({member.BanReason}): its votes do not count.");
        if (!limits.TryAcquire(AbuseLimits.Vote, "member:" + member.Id, out var wait))
            return Fail(429, $"Many votes in the last minute. Please wait {Display.Duration(wait)}.");
        _ = action == "withdraw" ? await votes.WithdrawAsync(Id, member.Id, ct) : await votes.UpvoteAsync(Id, member.Id, clock.GetUtcNow(), ct);
        return Redirect(SignInLinks.SafeReturn(ReturnUrl is { Length: > 0 } ? ReturnUrl : Display.PaperUrl(Id)));
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Paper = ArxivId.IsPaperId(Id) ? (await papers.GetPaperAsync(Id, ct))?.Paper : null;
        if (Paper is null)
        {
            Fail(404, $"No paper '{TextNormalizer.Clip(Id)}' here: nothing to vote on.");
            return false;
        }
        return true;
    }

    private PageResult Fail(int status, string message)
    {
        Response.StatusCode = status;
        Problem = message;
        return Page();
    }
}
