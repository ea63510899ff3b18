using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Papers;
using Paperboy.Web.Submit;

namespace Paperboy.Web.Papers;

/// <summary>One paper: full abstract, authors, categories, dates, versions, links, older texts.</summary>
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = FreshOutputCachePolicy.Search)]
public sealed class PaperModel(IPaperReader store, Core.Search.SearchEngine search, PendingSubmissions pending) : PageModel
{
    [FromRoute] public string Id { get; set; } = "";

    public PaperDetails? Details { get; private set; }
    public string? Problem { get; private set; }

    /// <summary>True while the paper is being fetched from arXiv after a submission: the page reloads itself.</summary>
    public bool Fetching { get; private set; }
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
            ViewData["Title"] = "Not found";
            (Response.StatusCode, Problem) = pending.Find(Id) switch
            {
                // Neither is cached (only 200 and 404 are): the next look may find the paper.
                { IsCompleted: false } => (StatusCodes.Status202Accepted, $"{Id} is being fetched from arXiv. This page shows it as soon as it arrives."),
                { IsFaulted: true } failed => (StatusCodes.Status503ServiceUnavailable, $"arXiv could not be reached just now, so {Id} was not added ({failed.Exception?.InnerException?.Message}). Please submit it again later."),
                { IsCompletedSuccessfully: true, Result.Outcome: Core.Ingest.Arxiv.SubmitOutcome.Unknown } => (StatusCodes.Status404NotFound, $"arXiv has no paper {Id}."),
                _ => (StatusCodes.Status404NotFound, $"Paperboy has no paper {Id} yet."),
            };
            Fetching = Response.StatusCode == StatusCodes.Status202Accepted;
            if (Fetching)
                ViewData["Title"] = "Fetching " + Id;
            return Page();
        }
        ViewData["Title"] = Details.Paper.Title;
        Similar = await search.SimilarAsync(Id, 10, ct);
        return Page();
    }
}
