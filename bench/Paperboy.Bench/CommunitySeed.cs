using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Papers;
using Paperboy.Storage.Sqlite;

namespace Paperboy.Bench;

/// <summary>
/// The community benchmark's data (bench/community.sh): members with API tokens, a Daily of papers featured on a day,
/// and votes and comments on them, written through the stores as the web host writes them.
/// </summary>
internal static class CommunitySeed
{
    private const string Usage =
        "usage: Paperboy.Bench community --data DIR --members N --papers P --day YYYY-MM-DD [--from YYYY-MM-DD] --votes V --comments C --tokens FILE";

    /// <summary>
    /// Picks P papers listed on --from (default: --day if it has a listing, else the latest listing day), features
    /// them on --day by member 0, casts V votes and C comments over them, and writes one new API token per member to
    /// FILE (line i: member i), the papers to FILE.papers, and the (member, paper) pairs that hold a vote, as indexes
    /// "i j", to FILE.votes.
    /// Members are made when missing (bench-i@example.org, handle bench-i), so a second run adds to the first.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var o = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
            o[args[i]] = args[i + 1];
        if (!o.TryGetValue("--data", out var data) || !o.TryGetValue("--tokens", out var tokensFile) || !o.TryGetValue("--day", out var dayText)
            || !DateOnly.TryParseExact(dayText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        int Number(string name, int fallback) => o.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var memberCount = Number("--members", 2000);
        var paperCount = Number("--papers", 30);
        var voteCount = Number("--votes", 2000);
        var commentCount = Number("--comments", 200);
        if (memberCount < 1 || paperCount < 1 || voteCount < 0 || commentCount < 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var services = new ServiceCollection().AddSqliteStorage(_ => data).BuildServiceProvider();
        await using var _ = services;
        var sw = Stopwatch.StartNew();
        await services.GetRequiredService<IStoreAdmin>().MigrateAsync();
        var reader = services.GetRequiredService<IPaperReader>();
        var users = services.GetRequiredService<IUserStore>();
        var daily = services.GetRequiredService<IDailyStore>();
        var votes = services.GetRequiredService<IVoteStore>();
        var comments = services.GetRequiredService<ICommentStore>();

        // The papers: a listing day's first P, in arXiv's order.
        DateOnly from;
        if (o.TryGetValue("--from", out var fromText))
            from = DateOnly.ParseExact(fromText, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        else if ((await reader.GetListingAsync(new ListingQuery(ListingPeriod.Day(day), null, ListingSort.Published, 0, 1))).Total > 0)
            from = day;
        else
            from = await reader.GetLatestListingDayAsync() ?? throw new InvalidOperationException($"{data} has no listings: import some first");
        // Papers featured on another day keep that day: take the first P of the listing that are free or on this Daily.
        var listing = await reader.GetListingAsync(new ListingQuery(ListingPeriod.Day(from), null, ListingSort.Published, 0, 10_000));
        var papers = listing.Items.Where(p => p.Paper.DailyDay is null || p.Paper.DailyDay == day).Take(paperCount).Select(p => p.Paper.Id).ToList();
        if (papers.Count < paperCount)
        {
            Console.Error.WriteLine($"community: {from:yyyy-MM-dd} lists {papers.Count} papers not featured on another day, fewer than the {paperCount} asked for (use a fresh --data or another --from)");
            return 1;
        }

        // The members, made when missing.
        var existing = (await users.ListUsersAsync()).ToDictionary(u => u.Email, StringComparer.OrdinalIgnoreCase);
        var members = new List<User>(memberCount);
        var added = 0;
        for (var i = 0; i < memberCount; i++)
        {
            var email = $"bench-{i}@example.org";
            if (!existing.TryGetValue(email, out var user))
            {
                user = await users.AddUserAsync(email, $"bench-{i}", UserRole.Member);
                added++;
            }
            members.Add(user);
        }

        // The Daily: featured by member 0 (a paper featured before keeps its first day).
        var now = DateTimeOffset.UtcNow;
        var featured = 0;
        foreach (var id in papers)
        {
            var result = await daily.FeatureAsync(id, day, members[0], now);
            if (result.Outcome == FeatureOutcome.Featured)
                featured++;
            else if (result.Paper?.DailyDay != day)
                Console.Error.WriteLine($"community: {id} was featured on {result.Paper?.DailyDay:yyyy-MM-dd} already, not on {day:yyyy-MM-dd}");
        }

        // Votes: V distinct (member, paper) pairs, Zipf-like over the papers (a few popular ones), a fixed seed.
        var rng = new Random(20260101);
        var maxVotes = (long)memberCount * papers.Count;
        if (voteCount > maxVotes)
            voteCount = (int)maxVotes;
        var pairs = new HashSet<(int Member, int Paper)>();
        while (pairs.Count < voteCount)
        {
            var paper = Math.Min(papers.Count - 1, (int)Math.Floor(Math.Pow(papers.Count + 1, rng.NextDouble())) - 1);
            var member = rng.Next(memberCount);
            // A popular paper whose voters are used up spills over to a uniform pick.
            if (!pairs.Add((member, paper)))
                pairs.Add((rng.Next(memberCount), rng.Next(papers.Count)));
        }
        foreach (var (member, paper) in pairs)
            await votes.UpvoteAsync(papers[paper], members[member].Id, now.AddSeconds(-rng.Next(3600)));

        // Comments: a third of them replies to an earlier comment on the same paper.
        var threads = new Dictionary<int, List<long>>();
        for (var i = 0; i < commentCount; i++)
        {
            var paper = rng.Next(papers.Count);
            var list = threads.TryGetValue(paper, out var l) ? l : threads[paper] = [];
            long? parent = list.Count > 0 && rng.Next(3) == 0 ? list[rng.Next(list.Count)] : null;
            var body = $"Comment {i} from the community benchmark: does the method hold up with $n = {rng.Next(10, 10_000)}$ samples? *Nice* result.";
            var result = await comments.AddAsync(papers[paper], members[rng.Next(memberCount)].Id, parent, body, now.AddSeconds(-rng.Next(3600)));
            if (result.Comment is { ParentId: null } c)
                list.Add(c.Id);
        }

        // One new token per member, line i for member i.
        var lines = new string[memberCount];
        for (var i = 0; i < memberCount; i++)
        {
            var (token, hash) = ApiTokens.Create();
            await users.AddApiTokenAsync(members[i].Id, hash);
            lines[i] = token;
        }
        await File.WriteAllLinesAsync(tokensFile, lines);
        await File.WriteAllLinesAsync(tokensFile + ".papers", papers);
        // Every vote the members hold on these papers (this run's and earlier runs'), so the load can skip those pairs.
        var voted = new List<string>();
        for (var i = 0; i < memberCount; i++)
            foreach (var id in await votes.GetVotedAsync(members[i].Id, papers))
                voted.Add($"{i} {papers.IndexOf(id)}");
        await File.WriteAllLinesAsync(tokensFile + ".votes", voted);
        Console.Error.WriteLine(
            $"community: {memberCount:N0} members ({added:N0} new), {papers.Count} papers from {from:yyyy-MM-dd} on the Daily of {day:yyyy-MM-dd} ({featured} newly featured), " +
            $"{pairs.Count:N0} votes cast ({voted.Count:N0} held), {commentCount:N0} comments, {memberCount:N0} tokens in {sw.Elapsed.TotalSeconds:N1} s");
        return 0;
    }
}
