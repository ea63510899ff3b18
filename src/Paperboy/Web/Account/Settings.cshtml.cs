using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Accounts;
using Paperboy.Web.Community;

namespace Paperboy.Web.Account;

/// <summary>The member's own settings: handle, display name, public upvotes, email, API tokens, sign out, delete.</summary>
[Authorize]
public sealed class SettingsModel(IAccountStore accounts, IUserStore users, Members members, SignInLinks links, AbuseLimits limits) : PageModel
{
    [BindProperty] public string? Handle { get; set; }
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public bool VotesPublic { get; set; }
    [BindProperty] public string? NewEmail { get; set; }
    [BindProperty] public string? ConfirmHandle { get; set; }

    public User Member { get; private set; } = null!;
    public string? Problem { get; private set; }
    public string? Notice { get; private set; }
    /// <summary>A token just made: shown once, never again.</summary>
    public string? NewToken { get; private set; }

    private async Task<bool> LoadAsync()
    {
        ViewData["Title"] = "Settings";
        if (await members.CurrentAsync(HttpContext) is not { } user)
            return false;
        Member = user;
        return true;
    }

    public async Task<IActionResult> OnGetAsync([FromQuery] string? email)
    {
        if (!await LoadAsync())
            return Challenge();
        Handle = Member.Handle;
        DisplayName = Member.DisplayName;
        VotesPublic = Member.VotesPublic;
        if (email == "changed")
            Notice = "Your email address is changed.";
        return Page();
    }

    public async Task<IActionResult> OnPostProfileAsync(CancellationToken ct)
    {
        if (!await LoadAsync())
            return Challenge();
        var handle = Handles.Normalize(Handle, out var problem);
        if (handle is null)
            return Fail(StatusCodes.Status400BadRequest, problem);
        var name = string.IsNullOrWhiteSpace(DisplayName) ? null : Core.Papers.TextNormalizer.Collapse(DisplayName);
        if (name is { Length: > 80 })
            return Fail(StatusCodes.Status400BadRequest, "A display name has at most 80 characters.");
        try
        {
            Member = await accounts.SetProfileAsync(Member.Id, handle, name, VotesPublic, ct);
        }
        catch (DuplicateUserException)
        {
            return Fail(StatusCodes.Status409Conflict, $"The handle '{handle}' is taken (handles are the same whatever their case).");
        }
        members.Forget(Member.Id);
        await AccountApi.SignInAsync(HttpContext, Member); // the cookie carries the new handle
        Notice = "Saved.";
        return Page();
    }

    public async Task<IActionResult> OnPostEmailAsync(CancellationToken ct)
    {
        if (!await LoadAsync())
            return Challenge();
        var email = Emails.Normalize(NewEmail);
        if (email is null)
            return Fail(StatusCodes.Status400BadRequest, $"'{Core.Papers.TextNormalizer.Clip(NewEmail ?? "")}' is not an email address.");
        if (!limits.TryAcquire(AbuseLimits.SignInEmail, email.ToLowerInvariant(), out var wait))
            return Fail(StatusCodes.Status429TooManyRequests, $"Many emails went to that address just now. Please wait {Display.Duration(wait)}.");
        // Whether the address is taken is told only to its owner, by the link: no probing for members' addresses here.
        await links.SendAsync(HttpContext, email, SignInLink.EmailChange, Member.Id, null, ct);
        Notice = $"A confirmation link is on its way to {email}. Your address changes when you open it.";
        return Page();
    }

    public async Task<IActionResult> OnPostTokenAsync(CancellationToken ct)
    {
        if (!await LoadAsync())
            return Challenge();
        var (token, hash) = ApiTokens.Create();
        await users.AddApiTokenAsync(Member.Id, hash, ct);
        NewToken = token;
        return Page();
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await AccountApi.SignOutAsync(HttpContext);
        return Redirect("/");
    }

    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken ct)
    {
        if (!await LoadAsync())
            return Challenge();
        if (!string.Equals(ConfirmHandle?.Trim(), Member.Handle, StringComparison.OrdinalIgnoreCase))
            return Fail(StatusCodes.Status400BadRequest, "To delete your account, type your handle in the box.");
        await accounts.DeleteUserAsync(Member.Id, ct);
        members.Forget(Member.Id);
        await AccountApi.SignOutAsync(HttpContext);
        return Redirect("/?account=deleted");
    }

    private PageResult Fail(int status, string message)
    {
        Response.StatusCode = status;
        Problem = message;
        return Page();
    }
}
