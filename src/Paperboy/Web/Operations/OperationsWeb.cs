using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Paperboy.Core.Jobs;
using Paperboy.Core.Mail;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Core.Telemetry;

namespace Paperboy.Web.Operations;

/// <summary>Operations settings, bound from the <c>Operations</c> section.</summary>
public sealed class OperationsOptions
{
    public const string Section = "Operations";

    /// <summary><c>loopback</c> (default: only from this host, not through a proxy), <c>any</c>, or <c>off</c>.</summary>
    public string Metrics { get; set; } = "loopback";

    /// <summary>An OTLP collector (e.g. http://127.0.0.1:4317) for traces and metrics; none by default.</summary>
    public string? OtlpEndpoint { get; set; }
}

/// <summary>
/// What operators expect of a .NET service: forwarded headers from configured proxies only (<c>Web:KnownProxies</c>),
/// OpenTelemetry metrics (ASP.NET Core, HttpClient, Npgsql, the runtime and Paperboy's own) on <c>/metrics</c> in
/// Prometheus' format, traces to an OTLP collector when one is named, <c>/healthz</c> (the process answers) and
/// <c>/readyz</c> (database reachable, migrations current, keyword index caught up).
/// </summary>
public static class OperationsWeb
{
    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(OperationsOptions.Section).Get<OperationsOptions>() ?? new OperationsOptions();
        if (options.Metrics is not ("loopback" or "any" or "off"))
            throw new OptionsValidationException(OperationsOptions.Section, typeof(OperationsOptions), [$"Operations:Metrics is '{options.Metrics}'; use loopback, any or off"]);
        services.Configure<OperationsOptions>(configuration.GetSection(OperationsOptions.Section));
        var proxies = configuration.GetSection("Web:KnownProxies").Get<string[]>() ?? SplitList(configuration["Web:KnownProxies"]);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the proxies named here are believed; ASP.NET Core would otherwise trust any proxy on loopback.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                if (System.Net.IPNetwork.TryParse(proxy, out var network))
                    o.KnownIPNetworks.Add(network);
                else if (IPAddress.TryParse(proxy, out var address))
                    o.KnownProxies.Add(address);
                else
                    throw new OptionsValidationException("Web", typeof(ForwardedHeadersOptions), [$"Web:KnownProxies: '{proxy}' is neither an IP address nor a network such as 10.0.0.0/8"]);
            }
        });

        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("paperboy", serviceInstanceId: NodeName.Current));
        telemetry.WithMetrics(m =>
        {
            m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation().AddMeter(PaperboyMetrics.Name, "Npgsql");
            if (options.Metrics != "off")
                m.AddPrometheusExporter(p => p.ScrapeResponseCacheDurationMilliseconds = 0);
            if (options.OtlpEndpoint is { } endpoint)
                m.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
        });
        if (options.OtlpEndpoint is { } traces)
        {
            telemetry.WithTracing(t => t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsql().AddSource(PaperboyMetrics.Name)
                .AddOtlpExporter(o => o.Endpoint = new Uri(traces)));
        }
        services.AddHostedService<StoreGauges>();
        return services;
    }

    private static string[] SplitList(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>First: everything after sees the client's address and scheme (from a known proxy).</summary>
    public static IApplicationBuilder UseOperations(this IApplicationBuilder app)
    {
        // With no proxy named, the headers are not read at all (ASP.NET Core believes everyone when both lists are empty).
        var forwarded = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        return forwarded.KnownProxies.Count + forwarded.KnownIPNetworks.Count > 0 ? app.UseForwardedHeaders() : app;
    }

    public static void MapOperations(this IEndpointRouteBuilder e)
    {
        e.MapGet("/healthz", async (IPaperStore store, CancellationToken ct) =>
        {
            await store.GetChangeStampAsync(ct);
            return Results.Ok(new { status = "ok", provider = store.Provider });
        }).WithTags("health");
        e.MapGet("/readyz", ReadyAsync).WithTags("health").WithSummary("Ready for traffic: database reachable, migrations current, keyword index caught up (503 naming what is not)");
        var options = e.ServiceProvider.GetRequiredService<IOptions<OperationsOptions>>().Value;
        if (options.Metrics != "off")
        {
            e.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (http, next) =>
            {
                if (options.Metrics == "loopback" && !IsDirectLoopback(http))
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                await next(http);
            }), optionsName: null);
        }
    }

    private static async Task<IResult> ReadyAsync(IStoreAdmin store, IPaperReader papers, SearchEngine search, CancellationToken ct)
    {
        var problems = new List<string>();
        try
        {
            await papers.GetChangeStampAsync(ct);
            var pending = await store.CountPendingMigrationsAsync(ct);
            if (pending > 0)
                problems.Add($"{pending} migration(s) not applied yet");
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            problems.Add("database unreachable: " + ex.Message);
        }
        if (!search.Upkeep.KeywordCurrent)
            problems.Add("keyword index still catching up with the database");
        return problems.Count == 0
            ? Results.Ok(new { status = "ready" })
            : Results.Json(new { status = "not ready", problems }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// A request from this host that no proxy forwarded: a proxy on this host connects from loopback too, so a request
    /// carrying forwarding headers (or one the forwarded-headers step rewrote) does not count.
    /// </summary>
    public static bool IsDirectLoopback(HttpContext http)
    {
        var remote = http.Connection.RemoteIpAddress;
        return (remote is null || IPAddress.IsLoopback(remote))
            && !http.Request.Headers.ContainsKey("X-Forwarded-For")
            && !http.Request.Headers.ContainsKey("X-Original-For");
    }

    /// <summary>Gauges read from the database every 15 s: outbox depth and who holds each job's lease.</summary>
    private sealed class StoreGauges(IOutboxStore outbox, IJobLeases leases, TimeProvider clock, ILogger<StoreGauges> log) : BackgroundService
    {
        private volatile Snapshot _latest = new(0, []);

        private sealed record Snapshot(long Pending, IReadOnlyList<LeaseHolder> Leases);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            PaperboyMetrics.Observe("paperboy.outbox.pending", "{message}", "Messages waiting in the outbox", () => [new Measurement<long>(_latest.Pending)]);
            PaperboyMetrics.Observe("paperboy.job.lease.held", "{lease}", "1 for each job lease held now, by job and owner (node)", () =>
                _latest.Leases.Where(l => l.ExpiresAt > clock.GetUtcNow()).Select(l => new Measurement<long>(1,
                    new KeyValuePair<string, object?>("job", l.Name), new KeyValuePair<string, object?>("owner", l.Owner))));
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    _latest = new Snapshot((await outbox.GetStatsAsync(stoppingToken)).Pending, await leases.ListAsync(stoppingToken));
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
                {
                    log.LogDebug("Outbox and lease gauges not refreshed: {Message}", ex.Message);
                }
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(15), clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
