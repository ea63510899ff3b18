using System.Net;
using System.ServiceModel.Syndication;
using System.Xml;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Feeds;

/// <summary>Every list as RSS, Atom and JSON Feed: read back by two independent readers, with ETags, and 404s that say so.</summary>
public abstract class FeedTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private TestStore _db = null!;
    private PaperboyFactory _factory = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync(Provider);
        await Importing.ImportAsync(_db.Store, TestData.Listing("2025-03-20"), TestData.HfDaily);
        _factory = new PaperboyFactory(_db, new Dictionary<string, string?> { ["Web:ChangePollSeconds"] = "0" });
        _http = _factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<(HttpResponseMessage Response, string Body)> GetAsync(string url)
    {
        var response = await _http.GetAsync(new Uri(url, UriKind.Relative));
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static SyndicationFeed Syndication(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        return SyndicationFeed.Load(reader);
    }

    [Fact]
    public async Task The_daily_feed_reads_the_same_in_rss_atom_and_json_with_two_readers()
    {
        using var hf = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(TestData.HfDaily));
        var expected = hf.RootElement.EnumerateArray().Select(i => i.GetProperty("paper").GetProperty("id").GetString()!).ToHashSet();
        var anId = expected.First();
        var stored = (await _db.Store.GetPaperAsync(anId))!.Paper;

        var (rssResponse, rss) = await GetAsync("/feeds/daily.rss");
        Assert.Equal("application/rss+xml", rssResponse.Content.Headers.ContentType?.MediaType);
        var feed = Syndication(rss);
        Assert.Equal(expected.Count, feed.Items.Count());
        var item = feed.Items.Single(i => i.Links.Any(l => l.Uri.AbsolutePath == "/papers/" + anId));
        Assert.Equal($"https://arxiv.org/abs/{anId}{(stored.Version is { } v ? "v" + v : "")}", item.Id);
        Assert.Equal(stored.Abstract, ((TextSyndicationContent)item.Summary).Text);
        Assert.Equal(stored.Authors, item.Authors.Select(a => a.Name));

        var atom = Syndication((await GetAsync("/feeds/daily.atom")).Body);
        Assert.Equal(feed.Items.Select(i => i.Id), atom.Items.Select(i => i.Id));

        // An independent reader agrees, on all three formats.
        foreach (var format in new[] { "rss", "atom", "json" })
        {
            var (_, body) = await GetAsync("/feeds/daily." + format);
            var read = CodeHollow.FeedReader.FeedReader.ReadFromString(body);
            Assert.Equal(expected.Count, read.Items.Count);
            Assert.Contains(read.Items, i => i.Link.EndsWith("/papers/" + anId, StringComparison.Ordinal));
            Assert.Contains(read.Items, i => i.Title == stored.Title);
        }
        using var json = System.Text.Json.JsonDocument.Parse((await GetAsync("/feeds/daily.json")).Body);
        Assert.Equal("https://jsonfeed.org/version/1.1", json.RootElement.GetProperty("version").GetString());
        Assert.All(json.RootElement.GetProperty("items").EnumerateArray(), i => Assert.StartsWith("https://arxiv.org/abs/", i.GetProperty("id").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_repeat_with_the_etag_or_the_date_gets_304_and_a_change_a_new_etag()
    {
        var (first, _) = await GetAsync("/feeds/new/cs.CL.atom");
        var etag = first.Headers.ETag!;
        using (var again = new HttpRequestMessage(HttpMethod.Get, "/feeds/new/cs.CL.atom"))
        {
            again.Headers.IfNoneMatch.Add(etag);
            Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(again)).StatusCode);
        }
        using (var since = new HttpRequestMessage(HttpMethod.Get, "/feeds/new/cs.CL.atom"))
        {
            since.Headers.IfModifiedSince = first.Content.Headers.LastModified;
            Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(since)).StatusCode);
        }
        // A comment on a paper changes its discussion feed, and so its ETag.
        var paper = (await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 20)), "cs.CL", ListingSort.Published, 0, 1))).Items[0].Paper.Id;
        var (before, _) = await GetAsync($"/feeds/papers/{paper}/comments.rss");
        var user = await _factory.Services.GetRequiredService<IUserStore>().AddUserAsync("ada@example.org", "ada", UserRole.Member);
        await _factory.Services.GetRequiredService<ICommentStore>().AddAsync(paper, user.Id, null, "A **clear** write-up", DateTimeOffset.UtcNow);
        var (after, body) = await GetAsync($"/feeds/papers/{paper}/comments.rss");
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        var comment = Assert.Single(Syndication(body).Items);
        Assert.Contains("<strong>clear</strong>", ((TextSyndicationContent)comment.Content).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Category_author_search_and_member_feeds_hold_what_they_say_and_unknown_ones_are_404()
    {
        var cl = Syndication((await GetAsync("/feeds/new/cs.CL.rss")).Body);
        Assert.NotEmpty(cl.Items);
        Assert.All(cl.Items, i => Assert.Contains(i.Categories, c => c.Name == "cs.CL"));

        var paper = (await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, ListingSort.Published, 0, 1))).Items[0].Paper;
        var (authorResponse, authorBody) = await GetAsync($"/feeds/authors/{Uri.EscapeDataString(paper.Authors[0])}.atom");
        Assert.Equal(HttpStatusCode.OK, authorResponse.StatusCode);
        Assert.Contains(Syndication(authorBody).Items, i => i.Title.Text == paper.Title);

        await _factory.Services.GetRequiredService<Core.Search.SearchEngine>().Upkeep.CatchUpAsync(null, CancellationToken.None);
        var (searchResponse, searchBody) = await GetAsync("/feeds/search.json?q=language+models&mode=keyword");
        Assert.Equal(HttpStatusCode.OK, searchResponse.StatusCode);
        Assert.NotEmpty(CodeHollow.FeedReader.FeedReader.ReadFromString(searchBody).Items);

        var ada = await _factory.Services.GetRequiredService<IUserStore>().AddUserAsync("ada@example.org", "ada", UserRole.Member);
        await _factory.Services.GetRequiredService<IVoteStore>().UpvoteAsync(paper.Id, ada.Id, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/feeds/users/ada/upvotes.rss")).Response.StatusCode); // private until she says
        await _factory.Services.GetRequiredService<IAccountStore>().SetProfileAsync(ada.Id, "ada", null, votesPublic: true);
        Assert.Single(Syndication((await GetAsync("/feeds/users/ada/upvotes.rss")).Body).Items);

        // A public collection in its order with the owner's notes; a private one is as unknown as a missing one.
        var library = _factory.Services.GetRequiredService<Core.Library.ILibraryStore>();
        var shelf = await library.CreateCollectionAsync(ada.Id, "Reading group", "Papers for Friday", isPublic: true, DateTimeOffset.UtcNow);
        var hidden = await library.CreateCollectionAsync(ada.Id, "Secret list", null, isPublic: false, DateTimeOffset.UtcNow);
        var two = (await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, ListingSort.Published, 0, 2))).Items.Select(i => i.Paper).ToList();
        Assert.True(await library.AddItemAsync(ada.Id, shelf.Id, two[1].Id, "start with this one", DateTimeOffset.UtcNow));
        Assert.True(await library.AddItemAsync(ada.Id, shelf.Id, two[0].Id, null, DateTimeOffset.UtcNow));
        Assert.True(await library.AddItemAsync(ada.Id, hidden.Id, two[0].Id, null, DateTimeOffset.UtcNow));
        var (shelfResponse, shelfBody) = await GetAsync($"/feeds/collections/ada/{shelf.Slug}.rss");
        Assert.Equal(HttpStatusCode.OK, shelfResponse.StatusCode);
        var shelfFeed = Syndication(shelfBody);
        Assert.Equal([two[1].Title, two[0].Title], shelfFeed.Items.Select(i => i.Title.Text));
        Assert.StartsWith("ada: start with this one", ((TextSyndicationContent)shelfFeed.Items.First().Summary).Text, StringComparison.Ordinal);
        Assert.Equal(2, CodeHollow.FeedReader.FeedReader.ReadFromString((await GetAsync($"/feeds/collections/ada/{shelf.Slug}.json")).Body).Items.Count);
        Assert.True(await library.RemoveItemAsync(ada.Id, shelf.Id, two[0].Id, DateTimeOffset.UtcNow));
        Assert.Single(Syndication((await GetAsync($"/feeds/collections/ada/{shelf.Slug}.rss")).Body).Items); // not a stale cached copy
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/feeds/collections/ada/{hidden.Slug}.rss")).Response.StatusCode);

        foreach (var (url, status) in new[]
        {
            ("/feeds/new/xx.YY.rss", HttpStatusCode.NotFound),
            ("/feeds/authors/Nobody%20Atall.rss", HttpStatusCode.NotFound),
            ("/feeds/users/nobody/upvotes.rss", HttpStatusCode.NotFound),
            ("/feeds/collections/ada/no-such-list.rss", HttpStatusCode.NotFound),
            ("/feeds/papers/2501.99999/comments.rss", HttpStatusCode.NotFound),
            ("/feeds/nothing.rss", HttpStatusCode.NotFound),
            ("/feeds/daily.txt", HttpStatusCode.NotFound),
            ("/feeds/search.rss?q=", HttpStatusCode.BadRequest),
            ("/feeds/trending.rss?period=year", HttpStatusCode.BadRequest),
            ("/feeds/daily/2025-02-30.rss", HttpStatusCode.BadRequest),
        })
        {
            var (response, body) = await GetAsync(url);
            Assert.True(response.StatusCode == status, $"{url}: {(int)response.StatusCode} {body}");
            Assert.Contains("\"detail\"", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Pages_link_their_feeds()
    {
        var (_, day) = await GetAsync("/papers/date/2025-03-20?category=cs.CL");
        Assert.Contains("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"the Daily of 2025-03-20 (RSS)\" href=\"/feeds/daily/2025-03-20.rss\">", day, StringComparison.Ordinal);
        Assert.Contains("href=\"/feeds/new/cs.CL.atom\"", day, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/feeds/new/cs.CL.json\">JSON Feed</a>", day, StringComparison.Ordinal);
        var (_, trending) = await GetAsync("/papers/trending?period=week");
        Assert.Contains("href=\"/feeds/trending.rss?period=week\"", trending, StringComparison.Ordinal);
        var (_, search) = await GetAsync("/search?q=language&mode=keyword");
        Assert.Contains("href=\"/feeds/search.rss?q=language&amp;mode=keyword\"", search, StringComparison.Ordinal);
    }
}

public sealed class SqliteFeedTests : FeedTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresFeedTests : FeedTests
{
    protected override string Provider => "postgres";
}
