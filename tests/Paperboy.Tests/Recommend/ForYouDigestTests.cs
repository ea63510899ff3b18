using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Digests;
using Paperboy.Core.Library;
using Paperboy.Core.Mail;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Recommend;

/// <summary>The digest's "For you" section: a member's address gets their top new papers with why; anyone else's does not.</summary>
public sealed class ForYouDigestTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_members_digest_has_a_for_you_section_and_a_non_members_does_not(string provider)
    {
        await using var db = await TestStore.CreateAsync(provider);
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-18"), TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"));
        await using var factory = new PaperboyFactory(db, new Dictionary<string, string?> { ["Digest:Enabled"] = "false" });
        var services = factory.Services;
        var member = await services.GetRequiredService<IUserStore>().AddUserAsync("ada@example.org", "ada", UserRole.Member);
        var day = await db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 18)), "cs.CV", ListingSort.Published, 0, 3));
        var library = services.GetRequiredService<ILibraryStore>();
        foreach (var item in day.Items)
            await library.SaveAsync(member.Id, item.Paper.Id, [], DateTimeOffset.UtcNow);

        var store = services.GetRequiredService<ISubscriptionStore>();
        var since = new DateTimeOffset(2025, 3, 18, 12, 0, 0, TimeSpan.Zero);
        async Task<Subscription> SubscribeAsync(string email)
        {
            var secret = ApiTokens.NewSecret();
            var s = await store.RequestAsync(email, null, new SubscriptionChoices { Trending = false, Categories = ["cs.CL"] }, ApiTokens.Hash(secret), since,
                _ => new OutboxMessage("subscribe", email, "confirm", "confirm"));
            return (await store.ConfirmAsync(s.Id, ApiTokens.Hash(secret), since))!;
        }
        var composer = services.GetRequiredService<DigestComposer>();
        async Task<Digest> ComposeAsync(Subscription s, DateTimeOffset from)
        {
            var until = new DateTimeOffset(2025, 3, 21, 7, 0, 0, TimeSpan.Zero);
            return await composer.ComposeAsync(s, new DigestWindow(from, until, DigestSchedule.Current(s.Choices, until),
                new DigestLinks("https://papers.example.org", "https://papers.example.org/subscription?token=t", "https://papers.example.org/unsubscribe?token=t")), CancellationToken.None);
        }

        // The member's address (their subscription was made without signing in): "For you" first, five papers, each new and with why.
        var ada = await SubscribeAsync("Ada@Example.org");
        var mine = await ComposeAsync(ada, since);
        var forYou = Assert.Single(mine.Sections, s => s.Kind == "for-you");
        Assert.Same(forYou, mine.Sections[0]);
        Assert.Equal(DigestComposer.ForYouCount, forYou.Entries.Count);
        var saved = day.Items.Select(i => i.Paper.Id).ToHashSet();
        foreach (var e in forYou.Entries)
        {
            Assert.DoesNotContain(e.PaperId, saved);
            var paper = (await db.Store.GetPaperAsync(e.PaperId))!.Paper;
            Assert.True(paper.PublishedOn > new DateOnly(2025, 3, 18), $"{e.PaperId} was announced {paper.PublishedOn}, before the last digest");
            Assert.StartsWith("Because: Near your “", e.Note, StringComparison.Ordinal);
        }
        // A paper once per digest: what "For you" took is not repeated under "New in cs.CL".
        Assert.DoesNotContain(mine.Sections.Skip(1).SelectMany(s => s.Entries), e => forYou.Entries.Any(f => f.PaperId == e.PaperId));
        var rendered = DigestRenderer.Render(mine);
        Assert.Contains(">For you</h2>", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("For you\n-------", rendered.Text, StringComparison.Ordinal);
        Assert.Contains(forYou.Entries[0].Title.Split(' ')[0], rendered.Text, StringComparison.Ordinal);

        // Someone who is not a member: the same choices, no "For you".
        var theirs = await ComposeAsync(await SubscribeAsync("grace@example.org"), since);
        Assert.NotEmpty(theirs.Sections);
        Assert.DoesNotContain(theirs.Sections, s => s.Kind == "for-you");
        Assert.DoesNotContain("For you", DigestRenderer.Render(theirs).Text, StringComparison.Ordinal);

        // Nothing new since the last digest: the section is left out, not sent empty.
        var later = await ComposeAsync(ada, new DateTimeOffset(2025, 3, 20, 12, 0, 0, TimeSpan.Zero));
        Assert.DoesNotContain(later.Sections, s => s.Kind == "for-you");
    }
}
