using Paperboy.Core.Recommend;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Paperboy.Core.Digests;
using Paperboy.Hosting;
using Paperboy.Web.Account;
using Paperboy.Web.Community;

namespace Paperboy.Web.Digests;

/// <summary>
/// The delivery feature: subscribing (double opt-in), managing and leaving a subscription without an account (signed
/// links), the digest preview, and the digest job in <c>serve</c>. Pages beside this file.
/// </summary>
public static class DigestsApi
{
    /// <summary>The feature in <c>serve</c>: the job's parts, the subscription forms, and the scheduler.</summary>
    public static IServiceCollection AddDigests(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDigestJob(configuration);
        services.AddSingleton<SubscriptionRequests>();
        services.AddHostedService<DigestScheduler>();
        return services;
    }

    /// <summary>What the digest run needs, in <c>serve</c> and in <c>paperboy digest run</c>.</summary>
    public static IServiceCollection AddDigestJob(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CommunityOptions>().Bind(configuration.GetSection(CommunityOptions.Section));
        services.AddOptions<WebOptions>().Bind(configuration.GetSection(WebOptions.Section));
        services.AddOptions<DigestOptions>().Bind(configuration.GetSection(DigestOptions.Section));
        services.TryAddSingleton<SiteUrl>();
        services.TryAddSingleton<SubscriptionTokens>();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<CommunityOptions>>().Value;
            return new TrendingSettings(TimeSpan.FromHours(o.TrendingHalfLifeHours), o.TrendingCommentWeight);
        });
        services.AddForYouRanking();
        services.TryAddSingleton<DigestComposer>();
        services.TryAddSingleton<DigestJob>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Core.Mail.IDeliveryFailures, DigestBounces>());
        DatabaseKeyRepository.AddTo(services);
        return services;
    }

    public static void MapDigests(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/subscriptions", SubscribeAsync).WithTags("delivery")
            .WithSummary("Subscribe to digests: {\"email\", \"frequency\": \"daily\"|\"weekly\", \"hour\", \"timeZone\", \"trending\": true, \"categories\": [], \"searches\": [{\"q\", \"mode\"}], \"authors\": [], \"papers\": []}; a confirmation link is mailed")
            .WithDescription("202 once the confirmation mail is queued (the same answer whether or not the address was subscribed); 400 naming the field that is wrong; 429 past the address's or client's budget.");

    private static async Task<IResult> SubscribeAsync(HttpContext http, SubscriptionRequests requests, Members members, CancellationToken ct)
    {
        var (body, problem) = await CommunityApi.ReadJsonAsync<SubscriptionRequest>(http, "{\"email\": \"you@example.org\", \"frequency\": \"daily\", \"trending\": true}", ct);
        if (problem is not null)
            return problem;
        var (choices, email, error) = await requests.ValidateAsync(body!, ct);
        if (error is not null)
            return CommunityApi.Bad(error);
        var member = await members.CurrentAsync(http);
        var wait = await requests.RequestAsync(http, email!, choices!, member?.Id, ct);
        if (wait is { } w)
            return AbuseLimits.TooMany(http, w, "Many subscription mails went to this address or from this client just now");
        return Results.Accepted(value: new { status = "confirmation sent", email, detail = $"A confirmation link is on its way to {email}; digests start once it is opened." });
    }

    /// <summary>Every few minutes, the digest job, if this node gets the lease (another may hold it).</summary>
    private sealed class DigestScheduler(DigestJob job, SiteUrl site, Core.Mail.OutboxSender sender, TimeProvider clock, IOptions<DigestOptions> options, ILogger<DigestScheduler> log) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            if (!options.Value.Enabled)
                return;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(options.Value.CheckSeconds), clock, stoppingToken);
                    if (await job.RunAsync(clock.GetUtcNow(), site.Base(null), dryRun: false, onlyTo: null, stoppingToken) is { Queued: > 0 })
                        sender.Wake();
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    log.LogError(ex, "The digest run failed; it runs again at the next check");
                }
            }
        }
    }
}

/// <summary>Digest settings, bound from the <c>Digest</c> section.</summary>
public sealed class DigestOptions
{
    public const string Section = "Digest";

    /// <summary>The digest job in <c>serve</c> (one node at a time, by lease, whatever this says on the others).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often <c>serve</c> looks for digests that have come due.</summary>
    public double CheckSeconds { get; set; } = 300;
}
