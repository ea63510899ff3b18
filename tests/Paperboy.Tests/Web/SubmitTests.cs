using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Web;

/// <summary>Submit by arXiv id on the web and in the API, against the local arXiv; admin status.</summary>
public abstract partial class SubmitTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private TestStore _db = null!;
    private FakeArxiv _fake = null!;
    private PaperboyFactory _factory = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync(Provider);
        _fake = await FakeArxiv.StartAsync();
        var settings = Ingestion.ArxivSettings(_fake, TimeSpan.Zero);
        settings["Web:SubmitsPerWindow"] = "3";
        _factory = new PaperboyFactory(_db, settings);
        _http = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
        await _fake.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task The_api_submits_by_id_lists_today_explains_unknown_ids_and_rate_limits()
    {
        var started = DateTime.UtcNow;
        using var ok = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2503.14603" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var doc = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()))
        {
            Assert.Equal("2503.14603", doc.RootElement.GetProperty("id").GetString());
            Assert.Contains(doc.RootElement.GetProperty("submittedOnDailyAt").GetString(), TestData.UtcDaysSince(started).Select(d => d + "T00:00:00.000Z"));
        }
        using var today = await _http.GetAsync(new Uri("/api/daily_papers", UriKind.Relative));
        Assert.Contains("2503.14603", await today.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unknown = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2501.99999" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("arXiv has no paper 2501.99999", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var bad = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = "../../etc/passwd" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // Three per window for this client: the fourth is refused before arXiv is asked.
        using var third = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2503.14620" });
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        var asked = _fake.Requests.Count;
        using var limited = await _http.PostAsJsonAsync("/api/papers/index", new { arxivId = "2503.14603" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(asked, _fake.Requests.Count);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [Fact]
    public async Task The_web_form_needs_its_antiforgery_token_and_redirects_to_the_paper()
    {
        using var noToken = await _http.PostAsync(new Uri("/papers/submit", UriKind.Relative), new FormUrlEncodedContent([new("id", "2503.14603")]));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Null(await _db.Store.GetPaperAsync("2503.14603"));

        var form = await _http.GetStringAsync(new Uri("/papers/submit?id=2503.14603", UriKind.Relative));
        Assert.Contains("value=\"2503.14603\"", form, StringComparison.Ordinal);
        var token = Token().Match(form).Groups[1].Value;
        using var posted = await _http.PostAsync(new Uri("/papers/submit", UriKind.Relative),
            new FormUrlEncodedContent([new("id", "2503.14603"), new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("/papers/2503.14603", posted.Headers.Location?.ToString());
        Assert.NotNull(await _db.Store.GetPaperAsync("2503.14603"));

        using var unknown = await _http.PostAsync(new Uri("/papers/submit", UriKind.Relative),
            new FormUrlEncodedContent([new("id", "2501.99999"), new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("arXiv has no paper 2501.99999", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_status_shows_the_last_ingestion_run()
    {
        using var before = await _http.GetAsync(new Uri("/api/admin/status", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        var job = _factory.Services.GetService(typeof(Paperboy.Core.Ingest.DailyIngestJob)) as Paperboy.Core.Ingest.DailyIngestJob;
        var started = DateTime.UtcNow;
        await job!.RunAsync(Paperboy.Core.Ingest.SilentProgress.Instance, CancellationToken.None);
        using var after = await _http.GetAsync(new Uri("/api/admin/status", UriKind.Relative));
        using var doc = JsonDocument.Parse(await after.Content.ReadAsStringAsync());
        var ingestion = doc.RootElement.GetProperty("ingestion");
        Assert.True(ingestion.GetProperty("fetched").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, ingestion.GetProperty("lastError").ValueKind);
        Assert.Equal(JsonValueKind.String, ingestion.GetProperty("lastSuccess").ValueKind);
        // A first harvest with nothing saved starts yesterday (the local arXiv has nothing that new).
        Assert.Contains(ingestion.GetProperty("oai").GetProperty("lastDatestamp").GetString(), TestData.UtcDaysSince(started, offset: -1));

        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/api/admin/status");
        proxied.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var refused = await _http.SendAsync(proxied);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}

public sealed class SqliteSubmitTests : SubmitTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresSubmitTests : SubmitTests
{
    protected override string Provider => "postgres";
}
