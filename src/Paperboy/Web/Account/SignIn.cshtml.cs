using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Accounts;
using Paperboy.Web.Community;

namespace Paperboy.Web.Account;

/// <summary>Sign in (or create an account) with an emailed link: no passwords.</summary>
public sealed class SignInModel(SignInLinks links, AbuseLimits limits) : PageModel
{
    [BindProperty] public string? Email { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public string? Problem { get; private set; }
    public string? SentTo { get; private set; }

    public void OnGet() => ViewData["Title"] = "Sign in";

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Sign in";
        var email = Emails.Normalize(Email);
        if (email is null)
            return Fail(StatusCodes.Status400BadRequest, $"'{Core.Papers.TextNormalizer.Clip(Email ?? "")}' is not an email address. Check it and try again.");
        if (!limits.TryAcquire(AbuseLimits.SignInClient, AbuseLimits.Client(HttpContext), out var wait)
            || !limits.TryAcquire(AbuseLimits.SignInEmail, email.ToLowerInvariant(), out wait))
        {
            AbuseLimits.SetRetryAfter(Response, wait);
            return Fail(StatusCodes.Status429TooManyRequests, $"Many sign-in emails were asked for just now. Please wait {Display.Duration(wait)} and try again.");
        }
        await links.SendAsync(HttpContext, email, SignInLink.SignIn, null, SignInLinks.SafeReturn(ReturnUrl), ct);
        // The same answer whether or not the address belongs to a member.
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
