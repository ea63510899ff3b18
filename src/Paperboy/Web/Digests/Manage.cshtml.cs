using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Digests;

namespace Paperboy.Web.Digests;

/// <summary>The "manage subscription" page every digest links to: works without signing in, by its signed token.</summary>
public sealed class ManageModel(ISubscriptionStore store, SubscriptionTokens tokens, SubscriptionRequests requests, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }
    [BindProperty] public ChoicesForm Choices { get; set; } = new();

    public Subscription? Subscription { get; private set; }
    public string? Problem { get; private set; }
    public string? Notice { get; private set; }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Your subscription";
        Subscription = tokens.TryRead(Token, out var id) ? await store.GetAsync(id, ct) : null;
        if (Subscription is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            Problem = "This link does not name a subscription (it may have been cut short or changed). Use the link from your latest digest.";
            return false;
        }
        return true;
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct))
            Choices = ChoicesForm.From(Subscription!.Choices);
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
            return Page();
        var (choices, _, problem) = await requests.ValidateAsync(Choices.ToRequest(Subscription!.Email), ct);
        if (problem is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Problem = problem;
            return Page();
        }
        Subscription = await store.SetChoicesAsync(Subscription.Id, choices!, ct);
        Notice = "Saved.";
        return Page();
    }

    public async Task<IActionResult> OnPostUnsubscribeAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
            return Page();
        await store.UnsubscribeAsync(Subscription!.Id, clock.GetUtcNow(), ct);
        Subscription = await store.GetAsync(Subscription.Id, ct);
        Notice = "Unsubscribed: no more digests go to this address.";
        return Page();
    }
}
