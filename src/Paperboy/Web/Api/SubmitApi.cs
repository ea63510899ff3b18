using Microsoft.AspNetCore.Http.HttpResults;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Core.Papers;

namespace Paperboy.Web.Api;

public sealed record SubmitRequest(string? ArxivId);

/// <summary><c>POST /api/papers/index {"arxivId": …}</c>, as in Hugging Face's API: fetch, store, list today.</summary>
public static class SubmitApi
{
    public static void MapSubmitApi(this RouteGroupBuilder api) =>
        api.MapPost("/papers/index", SubmitAsync)
            .WithSummary("Submit a paper by arXiv id: it is fetched from arXiv if needed and listed today (rate-limited per client)");

    internal static async Task<Results<Ok<ApiPaper>, ProblemHttpResult>> SubmitAsync(
        SubmitRequest? request, HttpContext http, SubmitLimiter limiter, PaperSubmitter submitter, IPaperStore store, CancellationToken ct)
    {
        if (request?.ArxivId is not { Length: > 0 } input)
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: "arxivId: give an arXiv id such as 2503.11731");
        if (!ArxivId.TryParse(input, out _, out _))
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: $"arxivId: '{(input.Length > 40 ? input[..40] + "…" : input)}' is not an arXiv id such as 2503.11731 or hep-th/9901001");
        if (!limiter.TryAcquire(http))
            return TypedResults.Problem(statusCode: 429, title: "Too many requests", detail: "Too many submissions from this client; try again in a few minutes");
        SubmitResult result;
        try
        {
            result = (await submitter.SubmitAsync([input], ct))[0];
        }
        catch (Exception ex) when (ex is ArxivUnavailableException or ArxivFormatException or ArxivQueryException)
        {
            return TypedResults.Problem(statusCode: 502, title: "arXiv did not answer", detail: ex.Message);
        }
        return result.Outcome switch
        {
            SubmitOutcome.Unknown => TypedResults.Problem(statusCode: 404, title: "Not found", detail: result.Message),
            SubmitOutcome.Invalid => TypedResults.Problem(statusCode: 400, title: "Bad request", detail: result.Message),
            _ => await store.GetPaperAsync(result.Id!, ct) is { } d
                ? TypedResults.Ok(ApiPaper.From(d.Paper, d.ListingDays.Count > 0 ? d.ListingDays[^1] : null))
                : TypedResults.Problem(statusCode: 500, detail: "stored but not found"),
        };
    }
}
