using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Library;

/// <summary>The library store on each provider: saves and tags, the last signal winning, collections, account deletion.</summary>
public abstract class LibraryStoreTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private static readonly DateTimeOffset T0 = new(2025, 3, 26, 10, 0, 0, TimeSpan.Zero);
    private readonly TestData.TempDir _dir = new();
    private TestStore _db = null!;
    private ServiceProvider _services = null!;
    private ILibraryStore _library = null!;
    private User _ada = null!;
    private User _bob = null!;
    private string[] _papers = [];

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync(Provider);
        _papers = [.. await LibraryData.ImportAsync(_db.Store, _dir, LibraryData.Touchy[..6])];
        _services = LibraryData.Services(_db);
        _library = _services.GetRequiredService<ILibraryStore>();
        var users = _services.GetRequiredService<IUserStore>();
        _ada = await users.AddUserAsync("ada@example.org", "ada", UserRole.Member);
        _bob = await users.AddUserAsync("bob@example.org", "bob", UserRole.Member);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _db.DisposeAsync();
        _dir.Dispose();
    }

    private static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    [Fact]
    public async Task Tags_are_per_member_and_ignore_case_and_a_tag_lasts_while_a_paper_carries_it()
    {
        var (a, b, c) = (_papers[0], _papers[1], _papers[2]);
        var marks = await _library.SaveAsync(_ada.Id, a, ["ML", "to read"], At(0));
        Assert.Equal(["ML", "to read"], marks!.Tags);
        Assert.True(marks.Saved);
        // "ml" is the same tag: it keeps its first spelling.
        Assert.Equal(["ML"], (await _library.SaveAsync(_ada.Id, b, ["ml"], At(1)))!.Tags);
        await _library.SaveAsync(_bob.Id, c, ["ml"], At(1));
        Assert.Equal([new TagCount("ML", 2), new TagCount("to read", 1)], await _library.GetTagsAsync(_ada.Id));
        Assert.Equal([new TagCount("ml", 1)], await _library.GetTagsAsync(_bob.Id));

        var tagged = await _library.GetSavedAsync(_ada.Id, "Ml", 0, 10);
        Assert.Equal(2, tagged.Total);
        Assert.Equal([b, a], tagged.Items.Select(i => i.Paper.Id)); // newest save first
        Assert.Equal(1, (await _library.GetSavedAsync(_ada.Id, "TO READ", 0, 10)).Total);

        Assert.True(await _library.RemoveTagAsync(_ada.Id, a, "to read", At(2)));
        Assert.False(await _library.RemoveTagAsync(_ada.Id, a, "to read", At(2)));
        Assert.Equal([new TagCount("ML", 2)], await _library.GetTagsAsync(_ada.Id));
        Assert.Equal(2, (await _library.GetSavedAsync(_ada.Id, null, 0, 10)).Total); // untagged, still saved

        Assert.Equal(["deep", "ML"], (await _library.SetTagsAsync(_ada.Id, a, ["deep", "ML"], At(3)))!.Tags);
        Assert.Equal(["deep"], (await _library.SetTagsAsync(_ada.Id, b, ["deep"], At(3)))!.Tags);
        Assert.Equal([new TagCount("deep", 2), new TagCount("ML", 1)], await _library.GetTagsAsync(_ada.Id));
        Assert.True(await _library.UnsaveAsync(_ada.Id, a, At(4)));
        Assert.False(await _library.UnsaveAsync(_ada.Id, a, At(4)));
        Assert.Equal([new TagCount("deep", 1)], await _library.GetTagsAsync(_ada.Id));
        Assert.Null(await _library.SaveAsync(_ada.Id, "2503.99999", [], At(5)));
        Assert.Null(await _library.SetTagsAsync(_ada.Id, "2503.99999", ["x"], At(5)));

        var many = await _library.SaveManyAsync(_ada.Id, [a, b, "2503.99999"], ["imported"], At(6));
        Assert.Equal([a], many.Added);
        Assert.Equal([b], many.AlreadySaved);
        Assert.Equal([new TagCount("deep", 1), new TagCount("imported", 2)], await _library.GetTagsAsync(_ada.Id));
    }

    [Fact]
    public async Task The_last_signal_on_a_paper_wins_and_saving_and_not_interested_clear_each_other()
    {
        var votes = _services.GetRequiredService<IVoteStore>();
        var (a, b, c, d) = (_papers[0], _papers[1], _papers[2], _papers[3]);
        // a: upvoted, then "not interested": negative; then saved: positive again.
        await votes.UpvoteAsync(a, _ada.Id, At(0));
        Assert.True(await _library.MarkNotInterestedAsync(_ada.Id, a, At(1)));
        Assert.False((await Signal(a))!.Positive);
        await _library.SaveAsync(_ada.Id, a, ["kept"], At(2));
        Assert.Equal((SignalSource.Saved, At(2)), ((await Signal(a))!.Source, (await Signal(a))!.At));
        Assert.False(Assert.Single(await _library.GetMarksAsync(_ada.Id, [a])).NotInterested);

        // b: saved with a tag, then "not interested": the save and its tag are gone.
        await _library.SaveAsync(_ada.Id, b, ["gone"], At(3));
        await _library.MarkNotInterestedAsync(_ada.Id, b, At(4));
        var bMarks = Assert.Single(await _library.GetMarksAsync(_ada.Id, [b]));
        Assert.Equal((false, true, 0), (bMarks.Saved, bMarks.NotInterested, bMarks.Tags.Count));
        Assert.DoesNotContain(await _library.GetTagsAsync(_ada.Id), t => t.Name == "gone");
        Assert.Equal(SignalSource.NotInterested, (await Signal(b))!.Source);
        Assert.Equal([b], (await _library.GetNotInterestedAsync(_ada.Id, 10)).Select(x => x.Paper.Id));

        // c: "not interested", then put in a collection later: positive. d: the other way round.
        var list = await _library.CreateCollectionAsync(_ada.Id, "Reading", null, false, At(5));
        await _library.MarkNotInterestedAsync(_ada.Id, c, At(5));
        await _library.AddItemAsync(_ada.Id, list.Id, c, null, At(6));
        Assert.Equal(SignalSource.Collected, (await Signal(c))!.Source);
        await _library.AddItemAsync(_ada.Id, list.Id, d, null, At(7));
        await _library.MarkNotInterestedAsync(_ada.Id, d, At(8));
        Assert.False((await Signal(d))!.Positive);
        Assert.True(await _library.ClearNotInterestedAsync(_ada.Id, d, At(9)));
        Assert.Equal(SignalSource.Collected, (await Signal(d))!.Source);

        var signals = await _library.GetSignalsAsync(_ada.Id);
        Assert.Equal(4, signals.Count); // one per paper
        Assert.Equal([d, c, b, a], signals.Select(s => s.PaperId)); // newest first
        Assert.Empty(await _library.GetSignalsAsync(_bob.Id));

        // Whose signals changed since an instant: Ada's did at 9; Bob's only when he votes (and withdraws).
        Assert.Equal([_ada.Id], await _library.GetMembersWithChangedSignalsAsync(At(8)));
        Assert.Empty(await _library.GetMembersWithChangedSignalsAsync(At(9)));
        await votes.UpvoteAsync(b, _bob.Id, At(20));
        Assert.Equal([_bob.Id], await _library.GetMembersWithChangedSignalsAsync(At(10)));
        Assert.Equal(SignalSource.Upvoted, Assert.Single(await _library.GetSignalsAsync(_bob.Id)).Source);
    }

    private async Task<LibrarySignal?> Signal(string paperId) =>
        (await _library.GetSignalsAsync(_ada.Id)).SingleOrDefault(s => s.PaperId == paperId);

    [Fact]
    public async Task Collections_keep_their_order_and_notes_and_only_their_owner_changes_them()
    {
        var reading = await _library.CreateCollectionAsync(_ada.Id, "Reading group: week 3", "Papers for Thursday", isPublic: true, At(0));
        var again = await _library.CreateCollectionAsync(_ada.Id, "Reading group: week 3", null, isPublic: false, At(1));
        var bobs = await _library.CreateCollectionAsync(_bob.Id, "Reading group: week 3", null, isPublic: false, At(1));
        Assert.Equal(("reading-group-week-3", "reading-group-week-3-2", "reading-group-week-3"), (reading.Slug, again.Slug, bobs.Slug));
        Assert.Equal(("ada", true, 0), (reading.OwnerHandle, reading.IsPublic, reading.Papers));

        foreach (var (id, i) in _papers.Take(4).Select((p, i) => (p, i)))
            Assert.True(await _library.AddItemAsync(_ada.Id, reading.Id, id, i == 1 ? "Read §2 first & skip $\\S 3$" : null, At(2 + i)));
        Assert.False(await _library.AddItemAsync(_ada.Id, reading.Id, "2503.99999", null, At(9)));
        // Adding again keeps the place and takes the new note.
        Assert.True(await _library.AddItemAsync(_ada.Id, reading.Id, _papers[0], "the first", At(9)));
        async Task<string[]> Order() => [.. (await _library.GetItemsAsync(reading.Id)).Select(i => i.Paper.Id)];
        Assert.Equal(_papers[..4], await Order());
        var items = await _library.GetItemsAsync(reading.Id);
        Assert.Equal([0, 1, 2, 3], items.Select(i => i.Position));
        Assert.Equal(["the first", "Read §2 first & skip $\\S 3$", null, null], items.Select(i => i.Note));

        Assert.True(await _library.MoveItemAsync(_ada.Id, reading.Id, _papers[3], 0, At(10)));
        Assert.Equal([_papers[3], _papers[0], _papers[1], _papers[2]], await Order());
        Assert.True(await _library.MoveItemAsync(_ada.Id, reading.Id, _papers[3], 99, At(10))); // clamped to the end
        Assert.Equal(_papers[..4], await Order());
        Assert.False(await _library.ReorderAsync(_ada.Id, reading.Id, [_papers[0], _papers[1]], At(11))); // not a permutation
        Assert.True(await _library.ReorderAsync(_ada.Id, reading.Id, [_papers[2], _papers[0], _papers[3], _papers[1]], At(11)));
        Assert.True(await _library.RemoveItemAsync(_ada.Id, reading.Id, _papers[0], At(12)));
        Assert.Equal([_papers[2], _papers[3], _papers[1]], await Order());
        Assert.Equal([0, 1, 2], (await _library.GetItemsAsync(reading.Id)).Select(i => i.Position));
        Assert.True(await _library.SetNoteAsync(_ada.Id, reading.Id, _papers[2], "now first", At(13)));
        Assert.Equal("now first", (await _library.GetItemsAsync(reading.Id))[0].Note);

        // Bob cannot touch Ada's list by its id: nothing changes.
        Assert.False(await _library.AddItemAsync(_bob.Id, reading.Id, _papers[5], null, At(14)));
        Assert.False(await _library.MoveItemAsync(_bob.Id, reading.Id, _papers[1], 0, At(14)));
        Assert.False(await _library.RemoveItemAsync(_bob.Id, reading.Id, _papers[1], At(14)));
        Assert.False(await _library.SetNoteAsync(_bob.Id, reading.Id, _papers[1], "mine", At(14)));
        Assert.Null(await _library.UpdateCollectionAsync(_bob.Id, reading.Id, "Taken", null, false, At(14)));
        Assert.False(await _library.DeleteCollectionAsync(_bob.Id, reading.Id, At(14)));
        Assert.Equal([_papers[2], _papers[3], _papers[1]], await Order());

        var found = await _library.FindCollectionAsync("ADA", "reading-group-week-3");
        Assert.Equal((reading.Id, 3, "Papers for Thursday"), (found!.Id, found.Papers, found.Description));
        Assert.Null(await _library.FindCollectionAsync("bob", "reading-group-week-3-2"));
        var renamed = await _library.UpdateCollectionAsync(_ada.Id, reading.Id, "Week 3", null, false, At(15));
        Assert.Equal(("Week 3", "reading-group-week-3", false, (string?)null), (renamed!.Name, renamed.Slug, renamed.IsPublic, renamed.Description));
        Assert.Equal(2, (await _library.GetCollectionsAsync(_ada.Id, publicOnly: false)).Count);
        Assert.Empty(await _library.GetCollectionsAsync(_ada.Id, publicOnly: true));
        Assert.Equal([reading.Id], Assert.Single(await _library.GetMarksAsync(_ada.Id, [_papers[1]])).Collections);
        Assert.True(await _library.DeleteCollectionAsync(_ada.Id, reading.Id, At(16)));
        Assert.Null(await _library.FindCollectionAsync("ada", "reading-group-week-3"));
        Assert.Empty(await _library.GetMarksAsync(_ada.Id, [_papers[1]]));
    }

    [Fact]
    public async Task Deleting_an_account_deletes_its_library()
    {
        await _library.SaveAsync(_ada.Id, _papers[0], ["ml"], At(0));
        await _library.MarkNotInterestedAsync(_ada.Id, _papers[1], At(1));
        var list = await _library.CreateCollectionAsync(_ada.Id, "Mine", null, true, At(2));
        await _library.AddItemAsync(_ada.Id, list.Id, _papers[2], "note", At(3));
        await _library.SaveAsync(_bob.Id, _papers[0], ["ml"], At(4));

        await _services.GetRequiredService<IAccountStore>().DeleteUserAsync(_ada.Id);

        Assert.Equal(0, (await _library.GetSavedAsync(_ada.Id, null, 0, 10)).Total);
        Assert.Empty(await _library.GetTagsAsync(_ada.Id));
        Assert.Empty(await _library.GetNotInterestedAsync(_ada.Id, 10));
        Assert.Empty(await _library.GetCollectionsAsync(_ada.Id, false));
        Assert.Empty(await _library.GetSignalsAsync(_ada.Id));
        Assert.Equal([_bob.Id], await _library.GetMembersWithChangedSignalsAsync(T0.AddDays(-1)));
        Assert.Equal(1, (await _library.GetSavedAsync(_bob.Id, "ml", 0, 10)).Total);
        // A new member who takes the handle "ada" finds none of the old one's collections.
        var again = await _services.GetRequiredService<IUserStore>().AddUserAsync("ada2@example.org", "ada", UserRole.Member);
        Assert.Null(await _library.FindCollectionAsync("ada", "mine"));
        Assert.Empty(await _library.GetCollectionsAsync(again.Id, false));
    }
}

public sealed class SqliteLibraryStoreTests : LibraryStoreTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresLibraryStoreTests : LibraryStoreTests
{
    protected override string Provider => "postgres";
}
