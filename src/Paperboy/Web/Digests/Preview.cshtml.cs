using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Accounts;
using Paperboy.Core.Digests;
using Paperboy.Web.Account;

namespace Paperboy.Web.Digests;

/// <summary>
/// <c>/digest/preview</c>: the next digest as it would be mailed now (nothing is recorded or sent), for the subscriber
/// (their signed token) or an admin (<c>?id=</c>).
/// </summary>
public sealed class PreviewModel(ISubscriptionStore store, SubscriptionTokens tokens, DigestComposer composer, SiteUrl site, Members members, TimeProvider clock) : PageModel
{
    public async Task<IActionResult> OnGetAsync(string? token, long? id, CancellationToken ct)
    {
        long subscriptionId;
        if (tokens.TryRead(token, out var fromToken))
            subscriptionId = fromToken;
        else if (id is { } asked && (await members.CurrentAsync(HttpContext))?.Role == UserRole.Admin)
            subscriptionId = asked;
        else
            return NotFound();
        var s = await store.GetAsync(subscriptionId, ct);
        if (s is null)
            return NotFound();
        var now = clock.GetUtcNow();
        var baseUrl = site.Base(HttpContext);
        var t = Uri.EscapeDataString(tokens.Create(s.Id));
        var digest = await composer.ComposeAsync(s, new DigestWindow(s.DigestSince ?? s.ConfirmedAt ?? now.AddDays(-1), now, DigestSchedule.Current(s.Choices, now),
            new DigestLinks(baseUrl, $"{baseUrl}/subscription?token={t}", $"{baseUrl}/unsubscribe?token={t}")), ct);
        var rendered = DigestRenderer.Render(digest);
        Response.Headers.CacheControl = "no-store";
        // The mail's HTML uses inline styles; this page relaxes the site's policy for styles only (still no scripts).
        Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";
        return Content(rendered.Html, "text/html; charset=utf-8");
    }
}
