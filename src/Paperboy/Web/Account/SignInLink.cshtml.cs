using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Accounts;

namespace Paperboy.Web.Account;

/// <summary>
/// The link from the mail. Opening it shows a button: the link is used by the POST, so mail scanners that fetch
/// links do not spend it. A member is signed in; a new address chooses a handle first (the address, proven by the
/// link, travels to that step in a signed, time-limited ticket).
/// </summary>
public sealed class SignInLinkModel(IAccountStore accounts, IUserStore users, Members members, IDataProtectionProvider protection, TimeProvider clock) : PageModel
{
    private ITimeLimitedDataProtector Tickets => protection.CreateProtector("paperboy.welcome").ToTimeLimitedDataProtector();

    [BindProperty(SupportsGet = true)] public string? Token { get; set; }
    [BindProperty] public string? Ticket { get; set; }
    [BindProperty] public string? Handle { get; set; }
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? ReturnUrl { get; set; }

    public string? Problem { get; private set; }
    /// <summary>The address of a first sign-in, choosing a handle.</summary>
    public string? NewEmail { get; private set; }

    public void OnGet() => ViewData["Title"] = "Sign in";

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Sign in";
        var link = Token is { Length: > 20 and < 100 } ? await accounts.RedeemSignInLinkAsync(ApiTokens.Hash(Token), clock.GetUtcNow(), ct) : null;
        if (link is null)
            return Fail(StatusCodes.Status400BadRequest, "This link does not work: it was used already, it is more than a few minutes old, or it was changed on the way. Ask for a new one.");
        if (link.Purpose == SignInLink.EmailChange && link.UserId is { } userId)
        {
            try
            {
                await accounts.SetEmailAsync(userId, link.Email, ct);
            }
            catch (DuplicateUserException)
            {
                return Fail(StatusCodes.Status409Conflict, $"{link.Email} belongs to another account now, so it was not changed.");
            }
            members.Forget(userId);
            return Redirect("/settings?email=changed");
        }
        var user = await users.FindUserByEmailAsync(link.Email, ct);
        if (user is not null)
        {
            await AccountApi.SignInAsync(HttpContext, user);
            return Redirect(SignInLinks.SafeReturn(link.ReturnUrl));
        }
        NewEmail = link.Email;
        Ticket = Tickets.Protect(link.Email, TimeSpan.FromMinutes(30));
        ReturnUrl = link.ReturnUrl;
        Handle = Handles.FromEmail(link.Email);
        ViewData["Title"] = "Welcome";
        return Page();
    }

    /// <summary>The first sign-in's second step: the handle.</summary>
    public async Task<IActionResult> OnPostWelcomeAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Welcome";
        string email;
        try
        {
            email = Tickets.Unprotect(Ticket ?? "");
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return Fail(StatusCodes.Status400BadRequest, "This form is too old or was changed. Ask for a new sign-in link.");
        }
        NewEmail = email;
        var handle = Handles.Normalize(Handle, out var problem);
        if (handle is null)
            return Fail(StatusCodes.Status400BadRequest, problem, keepForm: true);
        var name = string.IsNullOrWhiteSpace(DisplayName) ? null : Core.Papers.TextNormalizer.Collapse(DisplayName);
        if (name is { Length: > 80 })
            return Fail(StatusCodes.Status400BadRequest, "A display name has at most 80 characters.", keepForm: true);
        User? user;
        var fresh = false;
        try
        {
            user = await users.AddUserAsync(email, handle, UserRole.Member, ct);
            fresh = true;
        }
        catch (DuplicateUserException)
        {
            // The same ticket used twice: the account exists already. Otherwise the handle is someone else's.
            user = await users.FindUserByEmailAsync(email, ct);
            if (user is null)
                return Fail(StatusCodes.Status409Conflict, $"The handle '{handle}' is taken (handles are the same whatever their case). Choose another.", keepForm: true);
        }
        if (name is not null)
            user = await accounts.SetProfileAsync(user.Id, user.Handle, name, votesPublic: false, ct);
        await AccountApi.SignInAsync(HttpContext, user);
        // A new member is offered the start of For you (categories and a few papers) on the way, with a skip link.
        var next = SignInLinks.SafeReturn(ReturnUrl);
        return Redirect(fresh ? "/for-you/start?next=" + Uri.EscapeDataString(next) : next);
    }

    private PageResult Fail(int status, string message, bool keepForm = false)
    {
        Response.StatusCode = status;
        Problem = message;
        if (!keepForm)
            NewEmail = null;
        return Page();
    }
}
