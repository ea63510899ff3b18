using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Ingest;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Ingest;

/// <summary>arXiv's terms, measured where arXiv would see them: at the server.</summary>
public sealed class PolitenessTests : IAsyncLifetime
{
    private TestStore _db = null!;

    public async Task InitializeAsync() => _db = await TestStore.CreateAsync("sqlite");

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Requests_are_spaced_by_the_interval_retries_included_and_retry_after_is_honoured()
    {
        var interval = TimeSpan.FromMilliseconds(250);
        await using var fake = await FakeArxiv.StartAsync(new FakeArxivOptions
        {
            PageSize = 250,
            Fail503OnRequests = [2],
            RetryAfterSeconds = 1,
            BreakOffOnPage = 3,
        });
        await using var services = Ingestion.Services(_db, fake, interval);
        // Two jobs at once share the one limiter: their requests interleave but never crowd.
        var harvest = services.GetRequiredService<OaiHarvester>().HarvestAsync("cs", new DateOnly(2025, 3, 18), null, "arXiv", SilentProgress.Instance, CancellationToken.None);
        var feed = services.GetRequiredService<AnnouncementIngester>().IngestAsync(["cs.LG"], SilentProgress.Instance, CancellationToken.None);
        await Task.WhenAll(harvest, feed);

        var requests = fake.Requests;
        Assert.True(requests.Count >= 6, $"{requests.Count} requests");
        Assert.Contains(requests, r => r.StatusCode == (int)HttpStatusCode.ServiceUnavailable);
        Assert.Contains(requests, r => r.Fault == "break-off");
        for (var i = 1; i < requests.Count; i++)
        {
            var gap = requests[i].SinceStart - requests[i - 1].SinceStart;
            Assert.True(gap >= interval, $"requests {i} and {i + 1} were {gap.TotalMilliseconds:N0} ms apart");
            if (requests[i - 1].StatusCode == (int)HttpStatusCode.ServiceUnavailable)
                Assert.True(gap >= TimeSpan.FromSeconds(1), $"Retry-After not honoured: {gap.TotalMilliseconds:N0} ms");
        }
        Assert.All(requests, r => Assert.StartsWith("Paperboy/", r.UserAgent, StringComparison.Ordinal));
        Assert.All(requests, r => Assert.Contains("mailto:ops@example.org", r.UserAgent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_keeps_failing_gives_a_clear_error_after_the_retries()
    {
        await using var fake = await FakeArxiv.StartAsync(new FakeArxivOptions { Fail503OnRequests = [1, 2, 3, 4, 5, 6], RetryAfterSeconds = 0 });
        await using var services = Ingestion.Services(_db, fake);
        var error = await Assert.ThrowsAsync<ArxivUnavailableException>(() =>
            services.GetRequiredService<ArxivClient>().AnnouncementsAsync(["cs.LG"], CancellationToken.None));
        Assert.Contains("HTTP 503 (after 4 attempts)", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, fake.Requests.Count);
    }
}
