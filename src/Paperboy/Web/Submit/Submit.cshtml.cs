using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Core.Papers;

namespace Paperboy.Web.Submit;

/// <summary>
/// Submit a paper by arXiv id. The daily page's small form is a GET here (so listing pages stay cacheable and carry
/// no per-visitor token); this page's POST is the one that acts, with an antiforgery token, rate-limited per client.
/// </summary>
public sealed class SubmitModel(PendingSubmissions pending, SubmitLimiter limiter) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "id")]
    public string? ArxivIdInput { get; set; }

    public string? Problem { get; private set; }

    public void OnGet() => ViewData["Title"] = "Submit a paper";

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ViewData["Title"] = "Submit a paper";
        if (string.IsNullOrWhiteSpace(ArxivIdInput) || !ArxivId.TryParse(ArxivIdInput, out var id, out _))
            return Fail(StatusCodes.Status400BadRequest, $"'{TextNormalizer.Clip(ArxivIdInput ?? "")}' is not an arXiv id. Use a form such as 2503.11731, hep-th/9901001 or an arxiv.org/abs/ link.");
        if (!limiter.TryAcquire(HttpContext))
            return Fail(StatusCodes.Status429TooManyRequests, "You have submitted many papers in the last minutes. Please wait a little and try again.");
        SubmitResult? result;
        try
        {
            result = await pending.WaitBrieflyAsync(pending.Start(id), ct);
        }
        catch (Exception ex) when (ex is ArxivUnavailableException or ArxivFormatException or ArxivQueryException)
        {
            return Fail(StatusCodes.Status502BadGateway, "arXiv could not be reached just now, so the paper was not added. Please try again later.");
        }
        if (result is null)
            return Redirect(Display.PaperUrl(id)); // the paper page says it is on its way, and shows it when it is here
        return result.Outcome switch
        {
            SubmitOutcome.Unknown => Fail(StatusCodes.Status404NotFound, $"arXiv has no paper {result.Id}. Check the id and try again."),
            SubmitOutcome.Invalid => Fail(StatusCodes.Status400BadRequest, result.Message),
            _ => Redirect(Display.PaperUrl(result.Id!)),
        };
    }

    private PageResult Fail(int status, string message)
    {
        Response.StatusCode = status;
        Problem = message;
        return Page();
    }

}
