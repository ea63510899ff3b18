using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace Paperboy.Tools;

/// <summary>How the balancer spreads and checks.</summary>
public sealed class BalancerOptions
{
    /// <summary><see cref="LoadBalancingPolicies.RoundRobin"/> (default) or <see cref="LoadBalancingPolicies.LeastRequests"/>.</summary>
    public string Policy { get; set; } = LoadBalancingPolicies.RoundRobin;

    /// <summary>Terminate TLS with a self-signed certificate for 127.0.0.1 and localhost (see <see cref="Balancer.Certificate"/>).</summary>
    public bool Https { get; set; }

    /// <summary>How often each backend's <see cref="HealthPath"/> is asked; two failures in a row take it out of rotation.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(1);

    public string HealthPath { get; set; } = "/readyz";

    /// <summary>How long a probe may take: a node slow under load is not a dead one.</summary>
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Where YARP's and Kestrel's warnings go; none by default (the command line logs to the console).</summary>
    public Action<ILoggingBuilder>? Logging { get; set; }
}

/// <summary>What one backend was asked and how it answered, as the balancer saw it.</summary>
public sealed class BackendStats
{
    private long _answered;
    private long _connectFailures;
    private long _lostInFlight;

    /// <summary>Requests it answered (any status).</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Requests that could not reach it (refused or reset before a byte was answered) and went to another backend, or failed when none was left.</summary>
    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Requests it had received and never answered (it died with them): answered 502 unless they could be sent again.</summary>
    public long LostInFlight => Interlocked.Read(ref _lostInFlight);

    internal void Answer() => Interlocked.Increment(ref _answered);

    internal void ConnectFailed() => Interlocked.Increment(ref _connectFailures);

    internal void Lost() => Interlocked.Increment(ref _lostInFlight);
}

/// <summary>The balancer's counts since it started.</summary>
public sealed class BalancerStats
{
    private long _requests;
    private long _retried;
    private long _failed;

    /// <summary>By backend address.</summary>
    public ConcurrentDictionary<string, BackendStats> Backends { get; } = new(StringComparer.Ordinal);

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests sent again to another backend after a failure (a connection refused, or an idempotent request lost in flight).</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>Requests answered with the balancer's own error (502/503): no backend answered them.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    internal void Request() => Interlocked.Increment(ref _requests);

    internal void Retry() => Interlocked.Increment(ref _retried);

    internal void Fail() => Interlocked.Increment(ref _failed);

    public override string ToString() =>
        $"requests {Requests}, sent again to another backend {Retried}, failed {Failed}; " +
        string.Join("; ", Backends.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => $"{b.Key}: answered {b.Value.Answered}, could not connect {b.Value.ConnectFailures}, lost in flight {b.Value.LostInFlight}"));
}

/// <summary>
/// A small reverse proxy (YARP) in front of several <c>paperboy serve</c> nodes on loopback: round robin or least
/// requests, active health checks on <c>/readyz</c> and passive ones on transport failures, requests sent again to
/// another node when a node cannot be reached (any method: nothing was sent) or, for idempotent requests without a
/// body, when it dies before answering. It sets <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> (replacing what
/// the client sent) and keeps the client's <c>Host</c>, as <c>deploy/nginx.conf</c> does; each answer names the backend
/// that gave it in <c>X-Balancer-Backend</c>.
/// </summary>
public sealed class Balancer : IAsyncDisposable
{
    public const string BackendHeader = "X-Balancer-Backend";
    private const string ClusterId = "paperboy";

    private readonly WebApplication _app;

    private Balancer(WebApplication app, BalancerStats stats, X509Certificate2? certificate)
    {
        _app = app;
        Stats = stats;
        Certificate = certificate;
    }

    /// <summary>Where clients connect: http(s)://127.0.0.1:PORT, no trailing slash.</summary>
    public string Url { get; private set; } = "";

    public int Port => new Uri(Url).Port;

    public BalancerStats Stats { get; }

    /// <summary>The self-signed certificate when <see cref="BalancerOptions.Https"/>; clients pin it.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0: any free port) in front of <paramref name="backends"/> (http://127.0.0.1:5001 ...).</summary>
    public static async Task<Balancer> StartAsync(int port, IReadOnlyList<string> backends, BalancerOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(backends);
        options ??= new BalancerOptions();
        if (backends.Count == 0)
            throw new ArgumentException("name at least one backend, e.g. http://127.0.0.1:5001", nameof(backends));
        foreach (var b in backends)
        {
            if (!Uri.TryCreate(b, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                throw new ArgumentException($"backend '{b}' is not an http(s) address such as http://127.0.0.1:5001", nameof(backends));
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // Nothing from the environment or appsettings may move or reconfigure it.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        options.Logging?.Invoke(builder.Logging);
        var certificate = options.Https ? SelfSigned() : null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l =>
        {
            if (certificate is not null)
                l.UseHttps(certificate);
        }));

        var stats = new BalancerStats();
        var destinations = backends.Select((b, i) => (Id: b.TrimEnd('/'), Address: b))
            .ToDictionary(d => d.Id, d => new DestinationConfig { Address = d.Address }, StringComparer.Ordinal);
        foreach (var id in destinations.Keys)
            stats.Backends[id] = new BackendStats();
        var cluster = new ClusterConfig
        {
            ClusterId = ClusterId,
            LoadBalancingPolicy = options.Policy,
            Destinations = destinations,
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = options.HealthInterval,
                    Timeout = options.HealthTimeout,
                    Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                    Path = options.HealthPath,
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                    ReactivationPeriod = TimeSpan.FromSeconds(10),
                },
                // When every backend looks unhealthy, try them all rather than answer 503 at once.
                AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
            },
            HttpRequest = new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower },
        };
        var route = new RouteConfig { RouteId = "all", ClusterId = ClusterId, Match = new RouteMatch { Path = "{**path}" } };
        builder.Services.AddReverseProxy()
            .LoadFromMemory([route], [cluster])
            .AddTransforms(t =>
            {
                // The client as this proxy saw it, never a chain the client could forge; the scheme it used.
                t.UseDefaultForwarders = false;
                t.AddXForwardedFor(action: ForwardedTransformActions.Set);
                t.AddXForwardedProto(action: ForwardedTransformActions.Set);
                t.AddOriginalHost(true);
            });

        var app = builder.Build();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use((context, next) => ForwardWithRetriesAsync(context, next, stats));
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        await app.StartAsync(ct);
        var balancer = new Balancer(app, stats, certificate)
        {
            Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/'),
        };
        return balancer;
    }

    /// <summary>
    /// Runs the rest of the proxy pipeline (load balancing, then the forwarder), and again with the failed backend left
    /// out while the failure allows it and backends are left: a refused connection (the request never left), or an
    /// idempotent request without a body that a backend took and never answered.
    /// </summary>
    private static async Task ForwardWithRetriesAsync(HttpContext context, Func<Task> next, BalancerStats stats)
    {
        stats.Request();
        var proxy = context.GetReverseProxyFeature();
        var candidates = proxy.AvailableDestinations;
        var tried = new HashSet<DestinationState>();
        context.Response.OnStarting(() =>
        {
            if (proxy.ProxiedDestination is { } d)
                context.Response.Headers[BackendHeader] = d.DestinationId;
            return Task.CompletedTask;
        });
        while (true)
        {
            await next();
            var destination = proxy.ProxiedDestination;
            var error = context.GetForwarderErrorFeature();
            if (error is null || destination is null)
            {
                if (destination is not null && stats.Backends.TryGetValue(destination.DestinationId, out var ok))
                    ok.Answer();
                else if (error is not null)
                    stats.Fail();
                return;
            }
            var backend = stats.Backends.GetValueOrDefault(destination.DestinationId);
            var connect = NeverConnected(error);
            if (connect)
                backend?.ConnectFailed();
            else if (error.Error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.ResponseBodyDestination)
                backend?.Lost();
            tried.Add(destination);
            var left = candidates.Where(d => !tried.Contains(d)).ToList();
            var again = (connect || (error.Error == ForwarderError.Request && Replayable(context.Request)))
                && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested && left.Count > 0;
            if (!again)
            {
                stats.Fail();
                return;
            }
            stats.Retry();
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            proxy.AvailableDestinations = left;
            proxy.ProxiedDestination = null;
        }
    }

    /// <summary>The backend could not be reached at all (refused, unreachable): the request did not leave the balancer.</summary>
    private static bool NeverConnected(IForwarderErrorFeature error)
    {
        for (var e = error.Exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
                return true;
            if (e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
                return true;
        }
        return false;
    }

    /// <summary>Safe to send twice (RFC 9110's idempotent methods) and nothing to send again: no body.</summary>
    private static bool Replayable(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || HttpMethods.IsPut(request.Method) || HttpMethods.IsDelete(request.Method))
        && request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding");

    /// <summary>A certificate for 127.0.0.1 and localhost, made at start and known only to this process and its clients.</summary>
    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Paperboy balancer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7));
        // Through PKCS#12 so the private key is one TLS can use on every platform.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Stops taking requests and lets those in flight finish.</summary>
    public Task StopAsync(CancellationToken ct = default) => _app.StopAsync(ct);

    /// <summary>Runs until the host is told to stop (Ctrl+C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate?.Dispose();
    }
}
