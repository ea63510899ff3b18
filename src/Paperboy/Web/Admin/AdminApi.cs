using Microsoft.Extensions.Options;
using Paperboy.Core.Ingest;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Hosting;

namespace Paperboy.Web.Admin;

/// <summary>Operator endpoints: only from the machine itself, or with the configured admin token.</summary>
public static class AdminApi
{
    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("admin").AddEndpointFilter(async (ctx, next) =>
            IsAdmin(ctx.HttpContext) ? await next(ctx) : Results.Problem(statusCode: 403, title: "Forbidden", detail: "Admin endpoints answer only on loopback or with the admin token"));
        admin.MapGet("/status", async (IStoreAdmin store, DailyIngestJob job, OaiHarvester harvester, ArxivOptions arxiv, SearchEngine search, CancellationToken ct) =>
        {
            var status = await store.GetStatusAsync(ct);
            var run = await job.GetLastRunAsync(ct);
            var harvest = string.IsNullOrWhiteSpace(arxiv.Schedule.OaiSet) ? null : await harvester.GetStateAsync(arxiv.Schedule.OaiSet, "arXivRaw", ct);
            return Results.Ok(new
            {
                store = new { status.Provider, status.Papers, status.ListingDays, status.NewestListingDay, status.SizeBytes },
                ingestion = new
                {
                    scheduled = arxiv.Schedule.Enabled,
                    categories = arxiv.Schedule.CategoryList,
                    announcementTimeUtc = arxiv.Schedule.AnnouncementTimeUtc.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
                    lastRun = run?.LastStarted,
                    lastFinished = run?.LastFinished,
                    lastSuccess = run?.LastSuccess,
                    nextRun = run?.NextRun,
                    fetched = run?.Fetched ?? 0,
                    added = run?.Added ?? 0,
                    updated = run?.Updated ?? 0,
                    rejected = run?.Rejected ?? 0,
                    lastError = run?.LastError,
                    oai = harvest,
                },
                search = new
                {
                    keywordIndexed = search.FullText.Count,
                    semantic = search.SemanticStatus is { } off ? "off: " + off : "on",
                    model = search.LoadedModel,
                    vectorIndexed = search.SemanticCoverage?.Embedded,
                    // In the database, per model: papers whose vector matches their current text.
                    embedded = status.Embedded.Select(e => new { e.Model, e.Papers }),
                },
            });
        }).WithSummary("Database, ingestion and search status (loopback or admin token only)");
    }

    private static bool IsAdmin(HttpContext http)
    {
        if (Operations.OperationsWeb.IsDirectLoopback(http))
            return true;
        var token = http.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.AdminToken;
        return !string.IsNullOrEmpty(token)
            && http.Request.Headers.Authorization.ToString() is var header
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(header), System.Text.Encoding.UTF8.GetBytes("Bearer " + token));
    }
}
