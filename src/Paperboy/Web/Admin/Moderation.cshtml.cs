using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Web.Account;

namespace Paperboy.Web.Admin;

/// <summary>The admins' queue: reported comments (hide, or dismiss the reports), bans, and the audit log of both.</summary>
[Authorize(Policy = "admin")]
public sealed class ModerationModel(ICommentStore comments, IAccountStore accounts, Members members, TimeProvider clock) : PageModel
{
    [BindProperty] public long CommentId { get; set; }
    [BindProperty] public string? Handle { get; set; }
    [BindProperty] public string? Reason { get; set; }

    public IReadOnlyList<CommentReport> Reports { get; private set; } = [];
    public IReadOnlyList<AuditEntry> Audit { get; private set; } = [];
    public string? Notice { get; private set; }
    public string? Problem { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Moderation";
        Reports = await comments.ListOpenReportsAsync(200, ct);
        Audit = await comments.ListAuditAsync(100, ct);
    }

    public async Task<IActionResult> OnPostHideAsync(CancellationToken ct)
    {
        var admin = (await members.CurrentAsync(HttpContext))!;
        await comments.SetHiddenAsync(CommentId, true, admin.Id, clock.GetUtcNow(), ct);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDismissAsync(CancellationToken ct)
    {
        var admin = (await members.CurrentAsync(HttpContext))!;
        await comments.ResolveReportsAsync(CommentId, admin.Id, clock.GetUtcNow(), ct);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostBanAsync(bool lift, CancellationToken ct)
    {
        var admin = (await members.CurrentAsync(HttpContext))!;
        var user = Handle is { Length: > 0 } ? await accounts.FindUserByHandleAsync(Handle.Trim(), ct) : null;
        var reason = Core.Papers.TextNormalizer.Collapse(Reason ?? "");
        string? problem = user is null ? $"No member '{Core.Papers.TextNormalizer.Clip(Handle ?? "")}'."
            : user.Id == admin.Id ? "You cannot ban yourself."
            : !lift && reason.Length is 0 or > 500 ? "Give a reason (the member is shown it)."
            : null;
        if (problem is null)
        {
            var changed = await accounts.SetBannedAsync(user!.Id, lift ? null : reason, admin.Id, clock.GetUtcNow(), ct);
            members.Forget(user.Id);
            Notice = changed ? $"{user.Handle} is {(lift ? "no longer banned" : "banned")}." : $"{user.Handle} was {(lift ? "not banned" : "banned already")}.";
        }
        else
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Problem = problem;
        }
        await LoadAsync(ct);
        return Page();
    }
}
