using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Digests;
using Paperboy.Core.Mail;
using Paperboy.Core.Papers;
using Paperboy.Storage.Postgres;

namespace Paperboy.Bench;

/// <summary>bench/cluster.sh's helpers: an SMTP sink that writes down what it accepts, and the data over PostgreSQL.</summary>
internal static class ClusterBench
{
    /// <summary>
    /// <c>smtp-sink LOG</c>: a raw SMTP sink on a free loopback port (printed first), appending "recipients TAB
    /// Message-ID" to LOG for each message before it answers 250; runs until stdin closes.
    /// </summary>
    public static async Task<int> SmtpSinkAsync(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: Paperboy.Bench smtp-sink LOG");
            return 2;
        }
        await using var log = new StreamWriter(args[0], append: true) { AutoFlush = true };
        var gate = new Lock();
        await using var sink = SmtpSink.Start((to, id) =>
        {
            lock (gate)
                log.WriteLine($"{to}\t{id}");
        });
        Console.WriteLine(sink.Port);
        await Console.Out.FlushAsync();
        await Console.In.ReadToEndAsync();
        return 0;
    }

    private const string SeedUsage = "usage: Paperboy.Bench cluster-seed --connection CS --members N --papers P --tokens FILE";

    /// <summary>
    /// <c>cluster-seed</c>: over the PostgreSQL database the nodes share, N members with an API token each (FILE, line i
    /// for member i), the first P papers of the latest listing day featured on today's Daily (FILE.papers), and a
    /// pending subscription template@example.org whose choices (trending) the script copies for its subscribers.
    /// </summary>
    public static async Task<int> SeedAsync(string[] args)
    {
        var o = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
            o[args[i]] = args[i + 1];
        if (!o.TryGetValue("--connection", out var connection) || !o.TryGetValue("--tokens", out var tokensFile))
        {
            Console.Error.WriteLine(SeedUsage);
            return 2;
        }
        var memberCount = o.TryGetValue("--members", out var m) ? int.Parse(m, CultureInfo.InvariantCulture) : 2000;
        var paperCount = o.TryGetValue("--papers", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : 100;
        var services = new ServiceCollection().AddPostgresStorage(_ => connection).BuildServiceProvider();
        await using var _ = services;
        var reader = services.GetRequiredService<IPaperReader>();
        var day = await reader.GetLatestListingDayAsync() ?? throw new InvalidOperationException("no listing day yet: has the daily ingestion run?");
        var listing = await reader.GetListingAsync(new ListingQuery(ListingPeriod.Day(day), null, ListingSort.Published, 0, paperCount));
        if (listing.Items.Count < paperCount)
        {
            Console.Error.WriteLine($"cluster-seed: {day:yyyy-MM-dd} lists {listing.Items.Count} papers, fewer than the {paperCount} asked for");
            return 1;
        }
        var users = services.GetRequiredService<IUserStore>();
        var tokens = new string[memberCount];
        var members = new List<User>(memberCount);
        for (var i = 0; i < memberCount; i++)
        {
            var user = await users.AddUserAsync($"bench-{i}@example.org", $"bench-{i}", UserRole.Member);
            var (token, hash) = ApiTokens.Create();
            await users.AddApiTokenAsync(user.Id, hash);
            members.Add(user);
            tokens[i] = token;
        }
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var daily = services.GetRequiredService<IDailyStore>();
        foreach (var item in listing.Items)
            await daily.FeatureAsync(item.Paper.Id, today, members[0], DateTimeOffset.UtcNow);
        var secret = ApiTokens.NewSecret();
        await services.GetRequiredService<ISubscriptionStore>().RequestAsync("template@example.org", null, new SubscriptionChoices { Trending = true },
            ApiTokens.Hash(secret), DateTimeOffset.UtcNow, _ => new OutboxMessage("subscribe", "template@example.org", "Confirm your Paperboy digest", "confirm"));
        await File.WriteAllLinesAsync(tokensFile, tokens);
        await File.WriteAllLinesAsync(tokensFile + ".papers", listing.Items.Select(i => i.Paper.Id));
        Console.Error.WriteLine($"cluster-seed: {memberCount:N0} members with tokens, {listing.Items.Count} papers of {day:yyyy-MM-dd} on the Daily of {today:yyyy-MM-dd}");
        return 0;
    }
}
