using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Accounts;
using Paperboy.Core.Digests;

namespace Paperboy.Web.Digests;

/// <summary>The confirmation link: a page with a button (so mail scanners confirm nothing); the POST applies the choices once.</summary>
public sealed class ConfirmModel(ISubscriptionStore store, SubscriptionTokens tokens, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)] public long Id { get; set; }
    [BindProperty(SupportsGet = true)] public string? Secret { get; set; }

    public string? Problem { get; private set; }
    public Subscription? Confirmed { get; private set; }
    public string? ManageUrl { get; private set; }

    public void OnGet() => ViewData["Title"] = "Confirm your subscription";

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Confirm your subscription";
        Confirmed = Secret is { Length: > 20 and < 100 } ? await store.ConfirmAsync(Id, ApiTokens.Hash(Secret), clock.GetUtcNow(), ct) : null;
        if (Confirmed is null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Problem = "This confirmation link does not work: it was used already, or it was changed on the way. Subscribe again to get a new one.";
            return Page();
        }
        ManageUrl = "/subscription?token=" + Uri.EscapeDataString(tokens.Create(Confirmed.Id));
        return Page();
    }
}
