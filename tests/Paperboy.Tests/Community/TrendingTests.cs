using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;
using Paperboy.Web.Community;

namespace Paperboy.Tests.Community;

/// <summary>The trending order on constructed votes and comments, with the clock fixed.</summary>
public abstract class TrendingTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private static readonly DateTimeOffset Now = new(2025, 3, 26, 12, 0, 0, TimeSpan.Zero);
    private TestStore _db = null!;
    private PaperboyFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync(Provider);
        await Importing.ImportAsync(_db.Store, TestData.Listing("2025-03-20"));
        _factory = new PaperboyFactory(_db, new Dictionary<string, string?> { ["Web:ChangePollSeconds"] = "0" }, new TestClock(Now));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Recent_votes_and_comments_outrank_older_ones_and_each_paper_says_why()
    {
        var services = _factory.Services;
        var users = services.GetRequiredService<IUserStore>();
        var daily = services.GetRequiredService<IDailyStore>();
        var votes = services.GetRequiredService<IVoteStore>();
        var comments = services.GetRequiredService<ICommentStore>();
        var ids = (await _db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, ListingSort.Published, 0, 3))).Items.Select(i => i.Paper.Id).ToArray();
        var (a, b, c) = (ids[0], ids[1], ids[2]);
        var members = new List<User>();
        for (var i = 0; i < 6; i++)
            members.Add(await users.AddUserAsync($"m{i}@example.org", $"m{i}", UserRole.Member));
        await daily.FeatureAsync(a, new DateOnly(2025, 3, 26), members[0], Now.AddHours(-3));
        await daily.FeatureAsync(b, new DateOnly(2025, 3, 25), members[0], Now.AddHours(-31));
        await daily.FeatureAsync(c, new DateOnly(2025, 3, 26), members[0], Now.AddHours(-2));
        // A: three votes an hour ago (3 x 0.97 = 2.9). B: five votes 30 hours ago (5 x 0.42 = 2.1).
        // C: one vote now and two comments two hours ago, a comment weighing two votes (1 + 2 x 2 x 0.94 = 4.8).
        for (var i = 0; i < 3; i++)
            await votes.UpvoteAsync(a, members[i].Id, Now.AddHours(-1));
        for (var i = 0; i < 5; i++)
            await votes.UpvoteAsync(b, members[i].Id, Now.AddHours(-30));
        await votes.UpvoteAsync(c, members[5].Id, Now);
        await comments.AddAsync(c, members[1].Id, null, "first", Now.AddHours(-2));
        await comments.AddAsync(c, members[2].Id, null, "second", Now.AddHours(-2));

        var week = await services.GetRequiredService<TrendingReads>().RankAsync((7, "this week"), default);
        Assert.Equal([c, a, b], week.Select(e => e.Paper.Id));
        Assert.Equal("1 upvote in the last day, 2 comments: score 4.8, 1st this week", week[0].Explanation);
        Assert.Equal("3 upvotes in the last day, 0 comments: score 2.9, 2nd this week", week[1].Explanation);
        Assert.Equal("0 upvotes in the last day, 0 comments: score 2.1, 3rd this week", week[2].Explanation);
        // Today's window holds only what was featured today; most upvoted is not the same as trending.
        var today = await services.GetRequiredService<TrendingReads>().RankAsync((1, "today"), default);
        Assert.Equal([c, a], today.Select(e => e.Paper.Id));

        using var http = _factory.CreateClient();
        var apiBody = await (await http.GetAsync(new Uri("/api/daily_papers?week=2025-W13&sort=trending", UriKind.Relative))).Content.ReadAsStringAsync();
        Assert.True(apiBody.StartsWith('['), apiBody);
        using var api = JsonDocument.Parse(apiBody);
        Assert.Equal([c, a, b], api.RootElement.EnumerateArray().Select(i => i.GetProperty("paper").GetProperty("id").GetString()));
        using var upvoted = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/daily_papers?week=2025-W13&sort=upvotes", UriKind.Relative)));
        Assert.Equal([b, a, c], upvoted.RootElement.EnumerateArray().Select(i => i.GetProperty("paper").GetProperty("id").GetString()));
        var page = await http.GetStringAsync(new Uri("/papers/" + c, UriKind.Relative));
        Assert.Contains("1 upvote in the last day, 2 comments: score 4.8, 1st on the Daily of 2025-03-26", page, StringComparison.Ordinal);
        var trendingPage = await http.GetStringAsync(new Uri("/papers/trending?period=week", UriKind.Relative));
        Assert.True(trendingPage.IndexOf(c, StringComparison.Ordinal) < trendingPage.IndexOf(a, StringComparison.Ordinal));
    }
}

public sealed class SqliteTrendingTests : TrendingTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresTrendingTests : TrendingTests
{
    protected override string Provider => "postgres";
}
