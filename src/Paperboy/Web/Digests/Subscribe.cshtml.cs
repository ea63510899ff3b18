using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Web.Account;
using Paperboy.Web.Community;

namespace Paperboy.Web.Digests;

/// <summary>"Get papers in your inbox": an address and choices; a confirmation link follows (double opt-in).</summary>
public sealed class SubscribeModel(SubscriptionRequests requests, Members members) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Email { get; set; }
    [BindProperty] public ChoicesForm Choices { get; set; } = new();

    public string? Problem { get; private set; }
    public string? SentTo { get; private set; }

    public async Task OnGetAsync()
    {
        ViewData["Title"] = "Subscribe";
        Email ??= (await members.CurrentAsync(HttpContext))?.Email;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Subscribe";
        var (choices, email, problem) = await requests.ValidateAsync(Choices.ToRequest(Email), ct);
        if (problem is not null)
            return Fail(StatusCodes.Status400BadRequest, problem);
        var wait = await requests.RequestAsync(HttpContext, email!, choices!, (await members.CurrentAsync(HttpContext))?.Id, ct);
        if (wait is { } w)
        {
            AbuseLimits.SetRetryAfter(Response, w);
            return Fail(StatusCodes.Status429TooManyRequests, $"Many mails went to this address just now. Please wait {Display.Duration(w)}.");
        }
        SentTo = email;
        return Page();
    }

    private PageResult Fail(int status, string message)
    {
        Response.StatusCode = status;
        Problem = message;
        return Page();
    }
}
