using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Core.Recommend;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Recommend;

/// <summary>The nightly pass: one node does the work (by lease), each member's top list is stored and read back, reruns skip what is current.</summary>
public sealed class RecommendNightlyTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Two_passes_at_once_do_the_work_once_and_the_lists_read_back(string provider)
    {
        await using var db = await TestStore.CreateAsync(provider);
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-18"), TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"));
        await using var factory = new PaperboyFactory(db);
        var services = factory.Services;
        var users = services.GetRequiredService<IUserStore>();
        var library = services.GetRequiredService<ILibraryStore>();
        var day = await db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 18)), null, ListingSort.Published, 0, 30));
        var members = new List<long>();
        var t = DateTimeOffset.UtcNow;
        for (var m = 0; m < 3; m++)
        {
            var user = await users.AddUserAsync($"m{m}@example.org", $"member{m}", UserRole.Member);
            foreach (var item in day.Items.Skip(m * 5).Take(5))
                await library.SaveAsync(user.Id, item.Paper.Id, [], t);
            members.Add(user.Id);
        }
        await users.AddUserAsync("quiet@example.org", "quiet", UserRole.Member); // no signals: not in the pass

        var nightly = services.GetRequiredService<RecommendNightly>();
        var at = new DateTimeOffset(2025, 3, 21, 3, 0, 0, TimeSpan.Zero);
        var both = await Task.WhenAll(nightly.RunAsync(at, CancellationToken.None), nightly.RunAsync(at, CancellationToken.None));
        // One holds the lease; the other either found it held, or came after and found every list current.
        Assert.Equal(3, both.Sum(s => s?.Ranked ?? 0));
        Assert.Contains(both, s => s is { Members: 3, Ranked: 3 });

        var store = services.GetRequiredService<IForYouStore>();
        var forYou = services.GetRequiredService<Core.Recommend.ForYou>();
        foreach (var id in members)
        {
            var stored = (await store.GetStoredAsync(id))!;
            Assert.Equal(new DateOnly(2025, 3, 20), stored.To);
            Assert.Equal(at, stored.ComputedAt);
            Assert.Equal(RecommendNightly.TopN, stored.Items.Count);
            Assert.Equal(stored.Items.Select(i => i.Score).OrderByDescending(s => s), stored.Items.Select(i => i.Score));
            Assert.All(stored.Items, i => Assert.NotEmpty(i.Because));
            // Feeds and digests read the stored list: the same papers, scores and reasons as a fresh ranking.
            var live = await forYou.RecommendAsync(id, Core.Recommend.ForYou.DefaultDays, RecommendNightly.TopN, null, CancellationToken.None);
            var read = await forYou.CurrentAsync(id, RecommendNightly.TopN, CancellationToken.None);
            Assert.Equal(live.Items.Select(i => i.Paper.Id), read.Items.Select(i => i.Paper.Id));
            Assert.Equal(live.Items.Select(i => Math.Round(i.Score, 6)), read.Items.Select(i => Math.Round(i.Score, 6)));
            Assert.Equal(live.Items.Select(ForYouReasons.Line), read.Items.Select(ForYouReasons.Line));
        }

        // A rerun makes nothing; a member whose signals change gets a new list, and only they.
        Assert.Equal((3, 0, 3), await CountsAsync());
        await library.MarkNotInterestedAsync(members[1], (await store.GetStoredAsync(members[1]))!.Items[0].PaperId, t.AddSeconds(5));
        Assert.Equal((3, 1, 2), await CountsAsync());
        Assert.Equal(1, (await store.GetStoredAsync(members[1]))!.Negatives);

        async Task<(int, int, int)> CountsAsync()
        {
            var s = (await nightly.RunAsync(at, CancellationToken.None))!;
            return (s.Members, s.Ranked, s.UpToDate);
        }
    }
}
