using Microsoft.AspNetCore.Http.HttpResults;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Core.Papers;
using Paperboy.Web.Papers;

namespace Paperboy.Web.Submit;

public sealed record SubmitRequest(string? ArxivId);

/// <summary>A submission still on its way: <c>GET url</c> shows the paper once it has arrived.</summary>
public sealed record ApiPendingSubmission(string Id, string Status, string Url, string Detail);

/// <summary>
/// <c>POST /api/papers/index {"arxivId": …}</c>, as in Hugging Face's API: the paper is fetched from arXiv if
/// Paperboy lacks it and stored. 200 with the paper when that takes a moment; 202 when arXiv is slow to answer.
/// </summary>
public static class SubmitApi
{
    /// <summary>The submit feature's services: the per-client budget and the fetches in flight.</summary>
    public static IServiceCollection AddSubmit(this IServiceCollection services) =>
        services.AddSingleton<SubmitLimiter>().AddSingleton<PendingSubmissions>();

    /// <summary>The submit feature's API (its page is Submit, beside this file).</summary>
    public static void MapSubmit(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api").WithTags("papers").MapPost("/papers/index", SubmitAsync)
            .WithSummary("Submit a paper by arXiv id: it is fetched from arXiv if needed (rate-limited per client)")
            .Accepts<SubmitRequest>("application/json")
            .WithDescription("200 with the paper when it is here or arrived within a few seconds; 202 while it is being fetched (GET the url in the answer); 400 for a body or id that is not right; 404 when arXiv has no such paper; 429 past the per-client budget; 502 when arXiv could not be reached.")
            .Produces<ApiPaper>(StatusCodes.Status200OK)
            .Produces<ApiPendingSubmission>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway);

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    internal static async Task<IResult> SubmitAsync(
        HttpContext http, SubmitLimiter limiter, PendingSubmissions pending, IPaperReader store, CancellationToken ct)
    {
        // The body is read here, not bound by the framework, so that a body that is not JSON gets a 400 that says so.
        SubmitRequest? request;
        try
        {
            request = await System.Text.Json.JsonSerializer.DeserializeAsync<SubmitRequest>(http.Request.Body, Json, ct);
        }
        catch (System.Text.Json.JsonException ex)
        {
            var at = ex.BytePositionInLine is { } col ? $" (line {(ex.LineNumber ?? 0) + 1}, column {col + 1})" : "";
            var what = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? $"{path[2..]} is not a string{at}" : $"this is not valid JSON{at}";
            return TypedResults.Problem(statusCode: 400, title: "Bad request",
                detail: $"body: expected JSON such as {{\"arxivId\": \"2503.11731\"}}; {what}");
        }
        if (request?.ArxivId is not { Length: > 0 } input)
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: "arxivId: give an arXiv id such as 2503.11731");
        if (!ArxivId.TryParse(input, out var id, out _))
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: $"arxivId: '{TextNormalizer.Clip(input)}' is not an arXiv id such as 2503.11731 or hep-th/9901001");
        if (!limiter.TryAcquire(http))
            return TypedResults.Problem(statusCode: 429, title: "Too many requests", detail: "Too many submissions from this client; try again in a few minutes");
        SubmitResult? result;
        try
        {
            result = await pending.WaitBrieflyAsync(pending.Start(id), ct);
        }
        catch (Exception ex) when (ex is ArxivUnavailableException or ArxivFormatException or ArxivQueryException)
        {
            return TypedResults.Problem(statusCode: 502, title: "arXiv did not answer", detail: ex.Message);
        }
        if (result is null)
        {
            var url = Display.PaperUrl(id);
            return TypedResults.Accepted(url, new ApiPendingSubmission(id, "fetching", url, $"{id} is being fetched from arXiv; it will be at {url} when it arrives"));
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
