using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Paperboy.Tests.Browser;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Web;

/// <summary>
/// Hosts scraped for metrics run with no other test host starting or stopping: meters are shared by the whole process,
/// and when another host in it shut down, its instruments of the same names ended, and OpenTelemetry stopped exporting
/// this host's request metrics between two scrapes (seen in CI).
/// </summary>
[CollectionDefinition("metrics", DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary>Metrics, readiness, and forwarded headers believed from configured proxies only.</summary>
[Collection("metrics")]
public sealed partial class OperationsTests
{
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    /// <summary>The sum of a metric's samples whose labels contain every given label="value".</summary>
    private static double Sum(string scrape, string name, params string[] labels) =>
        Sample().Matches(scrape)
            .Where(m => m.Groups["name"].Value == name && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_scrape_of_metrics_shows_the_request_and_job_counters_moving()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await using var factory = new PaperboyFactory(db);
        using var http = factory.CreateClient();
        (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).EnsureSuccessStatusCode();
        var before = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", before, StringComparison.Ordinal);

        for (var i = 0; i < 3; i++)
            (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).EnsureSuccessStatusCode();
        await MemberSessions.SignUpAsync(factory, "metered"); // a sign-in mail: the outbox job runs and sends it

        // Counters move a moment after what they count is visible to the client: a request's duration is recorded once
        // the server has finished with it (after the client has its answer), and the sender counts its pass when the
        // pass ends (after the mail it sent is on disk). So the scrape is read again until they have moved, 10 s at most.
        const string Requests = "http_server_request_duration_seconds_count";
        bool Healthz(string scrape) => Sum(scrape, Requests, "http_route=\"/healthz\"") - Sum(before, Requests, "http_route=\"/healthz\"") >= 3;
        bool JobRan(string scrape) =>
            Sum(scrape, "paperboy_job_runs_total", "job=\"outbox\"", "outcome=\"ok\"") > Sum(before, "paperboy_job_runs_total", "job=\"outbox\"", "outcome=\"ok\"");
        bool Mailed(string scrape) => Sum(scrape, "paperboy_mail_sent_total", "kind=\"sign-in\"") >= 1;
        var after = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        for (var waited = 0; !(Healthz(after) && JobRan(after) && Mailed(after)) && waited < 100; waited++)
        {
            await Task.Delay(100);
            after = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        }
        Assert.True(Healthz(after), after);
        Assert.True(JobRan(after), after);
        Assert.True(Mailed(after), after);
    }

    [Fact]
    public async Task Readyz_says_ready_once_the_database_is_current_and_the_keyword_index_caught_up()
    {
        await using var db = await TestStore.CreateAsync("sqlite");
        await using var factory = new PaperboyFactory(db);
        using var http = factory.CreateClient();
        HttpResponseMessage? ready = null;
        for (var i = 0; i < 100; i++)
        {
            ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (ready.StatusCode == HttpStatusCode.OK)
                break;
            Assert.Contains("keyword index", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal); // the only thing that may lag
            await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.OK, ready!.StatusCode);
        Assert.Equal(0, await db.Store.CountPendingMigrationsAsync());
    }

    [Fact]
    public async Task Forwarded_headers_count_only_from_known_proxies_and_never_reach_the_loopback_admin_status()
    {
        using var dir = new TestData.TempDir();
        static HttpClient Client(string baseUrl) => new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
        HttpRequestMessage Get(string path, string? forwardedFor = null, string? proto = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (forwardedFor is not null)
                request.Headers.Add("X-Forwarded-For", forwardedFor);
            if (proto is not null)
                request.Headers.Add("X-Forwarded-Proto", proto);
            return request;
        }

        // No proxy configured: the headers change nothing, and a forwarded request is still not the admin's.
        await using (var site = await LiveSite.StartAsync(dir.Path))
        {
            using var client = Client(site.BaseUrl);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Get("/api/admin/status"))).StatusCode);
            Assert.NotEqual(HttpStatusCode.OK, (await client.SendAsync(Get("/api/admin/status", "127.0.0.1"))).StatusCode);
            using var signIn = await client.SendAsync(Get("/sign-in", "203.0.113.7", "https"));
            Assert.DoesNotContain(signIn.Headers.GetValues("Set-Cookie"), c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));
            Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Get("/metrics", "203.0.113.7"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Get("/metrics"))).StatusCode);
        }

        // This host named as the proxy: the client's address and scheme are believed, so cookies are Secure for an
        // https client, the loopback-only pages refuse a client that came through it, and budgets are per client.
        await using (var site = await LiveSite.StartAsync(dir.Path, "--Web:KnownProxies=127.0.0.1", "--Web:SubmitsPerWindow=1", "--Arxiv:QueryUrl=http://export.arxiv.invalid/api/query", "--Arxiv:RequestInterval=00:00:00"))
        {
            using var client = Client(site.BaseUrl);
            using var signIn = await client.SendAsync(Get("/sign-in", "203.0.113.7", "https"));
            Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));
            Assert.NotEqual(HttpStatusCode.OK, (await client.SendAsync(Get("/api/admin/status", "127.0.0.1"))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Get("/metrics", "127.0.0.1"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Get("/api/admin/status"))).StatusCode);

            async Task<HttpStatusCode> SubmitAs(string clientAddress)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/papers/index") { Content = JsonContent("""{"arxivId": "2503.11731"}""") };
                request.Headers.Add("X-Forwarded-For", clientAddress);
                using var response = await client.SendAsync(request);
                return response.StatusCode;
            }
            Assert.Equal(HttpStatusCode.BadGateway, await SubmitAs("203.0.113.7")); // counted; arXiv is unreachable here
            Assert.Equal(HttpStatusCode.TooManyRequests, await SubmitAs("203.0.113.7"));
            Assert.Equal(HttpStatusCode.BadGateway, await SubmitAs("198.51.100.20")); // another reader, another budget
        }
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
