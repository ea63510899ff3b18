using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Papers;

namespace Paperboy.Web.Pages;

/// <summary>One paper: full abstract, authors, categories, dates, versions, links, older texts.</summary>
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = FreshOutputCachePolicy.Search)]
public sealed class PaperModel(IPaperStore store, Core.Search.SearchEngine search) : PageModel
{
    [FromRoute] public string Id { get; set; } = "";

    public PaperDetails? Details { get; private set; }
    public string? Problem { get; private set; }
    public IReadOnlyList<Core.Search.SearchHit> Similar { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (ArxivId.TryParse(Id, out var canonical, out var version) && (canonical != Id || version is not null))
            return RedirectPermanent(Display.PaperUrl(canonical));
        if (!ArxivId.IsPaperId(Id))
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            Problem = $"'{(Id.Length > 60 ? Id[..60] + "…" : Id)}' is not an arXiv id such as 2503.11731 or hep-th/9901001.";
            ViewData["Title"] = "Not found";
            return Page();
        }
        Details = await store.GetPaperAsync(Id, ct);
        if (Details is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            Problem = $"Paperboy has no paper {Id} yet.";
            ViewData["Title"] = "Not found";
            return Page();
        }
        ViewData["Title"] = Details.Paper.Title;
        Similar = await search.SimilarAsync(Id, 10, ct);
        return Page();
    }
}
