using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Digests;

namespace Paperboy.Web.Digests;

/// <summary>
/// The List-Unsubscribe address. A GET only shows a button, so link scanners unsubscribe nobody; a POST unsubscribes,
/// as mail clients send it for one-click unsubscribe (RFC 8058: no cookies, no form token; the signed token in the
/// URL is the permission).
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class UnsubscribeModel(ISubscriptionStore store, SubscriptionTokens tokens, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }

    public bool Known { get; private set; }
    public bool Done { get; private set; }

    public void OnGet()
    {
        ViewData["Title"] = "Unsubscribe";
        Known = tokens.TryRead(Token, out _);
        if (!Known)
            Response.StatusCode = StatusCodes.Status404NotFound;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Unsubscribe";
        Known = tokens.TryRead(Token, out var id) && await store.GetAsync(id, ct) is not null;
        if (!Known)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        await store.UnsubscribeAsync(id, clock.GetUtcNow(), ct);
        Done = true;
        return Page();
    }
}
