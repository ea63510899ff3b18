using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Accounts;
using Paperboy.Web.Account;
using Paperboy.Web.Community;

namespace Paperboy.Web.Submit;

/// <summary>
/// Put a paper on today's Daily, by arXiv id or link. The listing pages' small form is a GET here (so they stay
/// cacheable and carry no per-visitor token); this page's POST acts, for a signed-in member, with an antiforgery token.
/// </summary>
public sealed class SubmitModel(DailySubmissions submissions, Members members) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "id")]
    public string? ArxivIdInput { get; set; }

    public string? Problem { get; private set; }
    public User? Member { get; private set; }

    public async Task OnGetAsync()
    {
        ViewData["Title"] = "Submit a paper";
        Member = await members.CurrentAsync(HttpContext);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Submit a paper";
        Member = await members.CurrentAsync(HttpContext);
        if (Member is null)
            return Challenge();
        if (Member.IsBanned)
            return Fail(StatusCodes.Status403Forbidden, $"An admin has banned this account ({Member.BanReason}): it cannot submit papers.");
        var outcome = await submissions.SubmitAsync(Member, ArxivIdInput, ct);
        if (outcome.RetryAfter is { } wait)
            AbuseLimits.SetRetryAfter(Response, wait);
        return outcome.Status switch
        {
            201 => Redirect("/?submitted=" + Uri.EscapeDataString(outcome.Paper!.Id)),
            202 => Fail(StatusCodes.Status202Accepted, outcome.Detail),
            _ => Fail(outcome.Status, outcome.Detail + "."),
        };
    }

    private PageResult Fail(int status, string message)
    {
        Response.StatusCode = status;
        Problem = message;
        return Page();
    }
}
