using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Paperboy.Core.Recommend;
using Paperboy.Web.Account;

namespace Paperboy.Web.ForYou;

/// <summary>"For you": <c>/for-you</c> and <c>GET /api/me/recommendations</c>, the new papers ranked for the member, each with why.</summary>
public static class ForYouWeb
{
    public static IServiceCollection AddForYou(this IServiceCollection services) =>
        services.AddRecommendNightly().AddSingleton<ForYouFeedTokens>().AddHostedService<NightlyScheduler>();

    /// <summary>What the nightly pass needs, in <c>serve</c> and in <c>paperboy recommend nightly</c>.</summary>
    public static IServiceCollection AddRecommendNightly(this IServiceCollection services)
    {
        services.AddForYouRanking();
        services.TryAddSingleton<RecommendNightly>();
        return services;
    }

    /// <summary>
    /// Runs the nightly pass once a day at <c>ForYou:NightlyHourUtc</c> (default 3; -1: never, leaving it to the verb).
    /// Every node runs this; the lease lets one of them do the work.
    /// </summary>
    private sealed class NightlyScheduler(RecommendNightly nightly, IConfiguration configuration, TimeProvider clock, ILogger<NightlyScheduler> log) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var hour = configuration.GetValue("ForYou:NightlyHourUtc", 3);
            if (hour is < 0 or > 23)
                return;
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = clock.GetUtcNow();
                var next = new DateTimeOffset(now.UtcDateTime.Date.AddHours(hour), TimeSpan.Zero);
                if (next <= now)
                    next = next.AddDays(1);
                try
                {
                    await Task.Delay(next - now, clock, stoppingToken);
                    await nightly.RunAsync(clock.GetUtcNow(), stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    log.LogError(ex, "The nightly For you pass failed; the next one runs tomorrow (lists made so far are kept)");
                }
            }
        }
    }

    public static void MapForYou(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me/recommendations", RecommendationsAsync)
            .AddEndpointFilter<RequireMember>().WithTags("library")
            .WithSummary("The new papers of the last days (days=1..31, default 7) ranked for the member, each with the saved papers nearest to it and the terms they share");
        app.MapForYouFeeds();
    }

    private static async Task<Results<Ok<RecommendationsResponse>, ProblemHttpResult>> RecommendationsAsync(
        HttpContext http, Members members, Core.Recommend.ForYou forYou, int? days, int? limit, string? category, CancellationToken ct)
    {
        if (days is < 1 or > 31)
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: "days: from 1 to 31");
        if (limit is < 1 or > 200)
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: "limit: from 1 to 200");
        if (category is not null && !Core.Papers.Categories.IsValid(category))
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: $"category: '{Core.Papers.TextNormalizer.Clip(category)}' is not a category such as cs.CL");
        var member = (await members.CurrentAsync(http))!;
        var list = await forYou.RecommendAsync(member.Id, days ?? 7, limit ?? 50, category, ct);
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Ok(new RecommendationsResponse(list.From, list.To, list.Candidates, list.Positives, list.Negatives,
            [.. list.Items.Select(i => new RecommendationJson(i.Paper.Id, i.Paper.Title, i.Paper.Authors, i.Paper.Categories, Math.Round(i.Score, 4),
                [.. i.Because.Select(b => new BecauseJson(b.Paper.Id, b.Paper.Title, Math.Round(b.Similarity, 3)))], i.SharedTerms))]));
    }

    public sealed record RecommendationsResponse(DateOnly From, DateOnly To, int Candidates, int Positives, int Negatives, IReadOnlyList<RecommendationJson> Items);

    public sealed record RecommendationJson(string Id, string Title, IReadOnlyList<string> Authors, IReadOnlyList<string> Categories, double Score,
        IReadOnlyList<BecauseJson> Because, IReadOnlyList<string> SharedTerms);

    public sealed record BecauseJson(string Id, string Title, double Similarity);
}
