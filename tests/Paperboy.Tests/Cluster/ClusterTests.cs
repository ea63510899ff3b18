using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Paperboy.Tools;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Digests;
using Paperboy.Core.Mail;
using Paperboy.Core.Papers;
using Paperboy.Hosting;
using Paperboy.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Paperboy.Tests.Cluster;

/// <summary>
/// Three real <c>serve</c> processes over one PostgreSQL schema behind the balancer (tools/Paperboy.Balancer, TLS in
/// front), as bench/cluster.sh runs them, with shorter phases: they start at once on an empty schema; a member signs in
/// through the balancer and every node takes the cookie and the antiforgery token; a vote and a comment written on one
/// node show on the others; forwarded headers are believed from the balancer only; then load, and two nodes killed
/// with SIGKILL (one at random, later the one that ran the digest job while its mail goes out) lose no acknowledged
/// write, serve every subscriber once (bar resends of the batch in flight, same Message-ID) and ran the daily
/// ingestion once.
/// </summary>
public sealed partial class ClusterTests(ITestOutputHelper output)
{
    private const int ChangePollSeconds = 1;
    private const int Subscribers = 200;
    private const int SignInsPerClient = 3;
    /// <summary>Ada votes on at most this many papers while signing in; her votes under load take the next ones.</summary>
    private const int AdaSignInVotes = 9;
    /// <summary>The outbox sender's batch (OutboxSender): a node killed while sending leaves at most this many sent and unmarked.</summary>
    private const int SendBatch = 50;

    [GeneratedRegex(@"Applied (\d+) migration\(s\)")]
    private static partial Regex MigrationsApplied();

    [GeneratedRegex(@"(\d+) digests queued")]
    private static partial Regex DigestsQueued();

    [GeneratedRegex(@"https?://\S+/sign-in/link\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex SignInLinkPattern();

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Say(string line) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F1} s] {line}");

    [Fact]
    public async Task Three_nodes_behind_the_balancer_share_one_site_and_two_kills_lose_no_acknowledged_write()
    {
        await using var db = await TestStore.CreateAsync("postgres", migrate: false);
        await using var fake = await FakeArxiv.StartAsync(new FakeArxivOptions { ListingDays = ["2025-03-20"] });
        await using var smtp = TestSmtp.Start();
        var ports = ClusterNode.FreePorts(3);
        await using var balancer = await Balancer.StartAsync(0, [.. ports.Select(p => $"http://127.0.0.1:{p}")],
            new BalancerOptions { Https = true, HealthInterval = TimeSpan.FromMilliseconds(500) });
        var settings = NodeSettings(db, fake, smtp, balancer);
        var dirs = ports.Select(_ => new TestData.TempDir()).ToList();
        var nodes = new List<ClusterNode>();
        using var direct = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            // 1. Three nodes start at once on a schema that does not exist yet: migrations applied once, all ready.
            nodes.AddRange(ports.Select((p, i) => ClusterNode.Start($"node{i + 1}", p, dirs[i].Path, settings)));
            await Task.WhenAll(nodes.Select(n => n.WaitReadyAsync(direct, TimeSpan.FromSeconds(120))));
            var (versions, highest) = await ScalarsAsync(db, "SELECT COUNT(*), MAX(version) FROM schema_migrations");
            var applied = nodes.Sum(n => n.Output.Select(l => MigrationsApplied().Match(l)).Where(m => m.Success).Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
            Say($"all three ready; migrations applied {applied} times in all ({string.Join(", ", nodes.Select(n => $"{n.Name}: {n.Output.Count(l => MigrationsApplied().IsMatch(l))} line(s)"))}), schema at version {highest}");
            Assert.Equal(highest, versions);
            Assert.Equal(versions, applied);

            // The daily ingestion: one node takes the lease and runs it, the others find it done.
            await WaitForAsync("the daily ingestion", TimeSpan.FromSeconds(90), async () =>
            {
                using var status = JsonDocument.Parse(await direct.GetStringAsync(new Uri(nodes[0].Url + "/api/admin/status")));
                return status.RootElement.GetProperty("ingestion").GetProperty("lastSuccess").ValueKind == JsonValueKind.String;
            });

            // The test's own access to the same schema, for seeding and for the final checks.
            var config = new ConfigurationBuilder().AddInMemoryCollection(db.Settings).Build();
            await using var services = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging().AddPaperboyCore(config).BuildServiceProvider();
            var seed = await SeedAsync(services);
            Say($"ingested and seeded: {seed.Papers.Count} papers on today's Daily, {seed.Voters.Count} voters with API tokens");

            var adaCookies = new CookieContainer();
            using var ada = ToBalancer(balancer, adaCookies);
            await SignInAcrossNodesAsync(balancer, ada, adaCookies, nodes, smtp, seed, direct);
            await WritesShowOnEveryNodeAsync(nodes, direct, seed);
            await ForwardedHeadersAsync(balancer, nodes, direct);
            await FailoverAsync(balancer, ada, nodes, db, services, smtp, fake, seed);
        }
        catch
        {
            foreach (var n in nodes)
            {
                output.WriteLine($"--- {n.Name} ({n.Url}, pid {n.Pid}{(n.Killed ? ", killed" : "")}), last lines:");
                foreach (var line in n.Output.TakeLast(60))
                    output.WriteLine(line);
            }
            throw;
        }
        finally
        {
            foreach (var n in nodes)
                n.Dispose();
            foreach (var d in dirs)
                d.Dispose();
        }
    }

    /// <summary>The same settings on every node, as operators would give them.</summary>
    private static Dictionary<string, string?> NodeSettings(TestStore db, FakeArxiv fake, TestSmtp smtp, Balancer balancer)
    {
        var s = new Dictionary<string, string?>(db.Settings);
        s.Remove("Storage:DataDirectory"); // each node its own, for its indexes
        foreach (var (k, v) in Ingestion.ArxivSettings(fake, TimeSpan.Zero))
            s[k] = v;
        foreach (var (k, v) in smtp.Settings())
            s[k] = v;
        s["Arxiv:Schedule:Enabled"] = "true";
        s["Search:Semantic"] = "false";
        s["Web:KnownProxies"] = "127.0.0.1";
        s["Web:PublicUrl"] = balancer.Url;
        s["Web:ChangePollSeconds"] = ChangePollSeconds.ToString(CultureInfo.InvariantCulture);
        s["Digest:CheckSeconds"] = "1";
        // 80 messages per 10 s per node, less than two batches: a node stops halfway through its second batch until the
        // bucket refills, so the kill below lands while it holds messages sent and not yet marked.
        s["Mail:MaxPerMinute"] = "480";
        s["Mail:ClaimSeconds"] = "3";
        s["Community:VotesPerMinute"] = "100000";
        s["Community:CommentsPerTenMinutes"] = "100000";
        s["Community:SignInRequestsPerClientPerHour"] = SignInsPerClient.ToString(CultureInfo.InvariantCulture);
        return s;
    }

    private sealed record Voter(User User, string Token);

    private sealed record Seed(IReadOnlyList<string> Papers, IReadOnlyList<Voter> Voters, Voter Commenter);

    /// <summary>Members with API tokens, and forty papers of the ingested day (the cs.CL feed) featured on today's Daily.</summary>
    private static async Task<Seed> SeedAsync(IServiceProvider services)
    {
        var users = services.GetRequiredService<IUserStore>();
        async Task<Voter> MemberAsync(string handle)
        {
            var user = await users.AddUserAsync(handle + "@example.org", handle, UserRole.Member);
            var (token, hash) = ApiTokens.Create();
            await users.AddApiTokenAsync(user.Id, hash);
            return new Voter(user, token);
        }
        var editor = await MemberAsync("editor");
        var voters = new List<Voter>();
        for (var i = 0; i < 20; i++)
            voters.Add(await MemberAsync($"voter{i}"));
        var commenter = await MemberAsync("commenter");
        var listing = await services.GetRequiredService<IPaperReader>().GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 20)), null, ListingSort.Published, 0, 40));
        Assert.True(listing.Items.Count == 40, $"the ingestion listed {listing.Items.Count} papers on 2025-03-20");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var daily = services.GetRequiredService<IDailyStore>();
        foreach (var item in listing.Items)
            Assert.Equal(FeatureOutcome.Featured, (await daily.FeatureAsync(item.Paper.Id, today, editor.User, DateTimeOffset.UtcNow)).Outcome);
        return new Seed([.. listing.Items.Select(i => i.Paper.Id)], voters, commenter);
    }

    /// <summary>
    /// Sign-in through the balancer, each step on whichever node answers: the form's antiforgery token, the emailed link
    /// (to the public https address), the session cookie (Secure, as the reader used https) on every node.
    /// </summary>
    private async Task SignInAcrossNodesAsync(Balancer balancer, HttpClient ada, CookieContainer adaCookies, List<ClusterNode> nodes, TestSmtp smtp, Seed seed, HttpClient direct)
    {
        var form = await ada.GetStringAsync(new Uri("/sign-in", UriKind.Relative));
        using (var asked = await ada.PostAsync(new Uri("/sign-in", UriKind.Relative),
            new FormUrlEncodedContent([new("Email", "ada@example.org"), new("__RequestVerificationToken", MemberSessions.FormToken().Match(form).Groups[1].Value)])))
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var mail = await smtp.WaitForAsync("ada@example.org", TimeSpan.FromSeconds(60));
        var link = SignInLinkPattern().Match(mail.TextBody ?? "").Value;
        Assert.StartsWith(balancer.Url + "/sign-in/link?token=", link, StringComparison.Ordinal);
        Assert.StartsWith("https://", link, StringComparison.Ordinal);
        using var done = await MemberSessions.UseLinkAsync(ada, link, "ada");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var auth = done.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("pb_auth=", StringComparison.Ordinal));
        Assert.Contains("; secure", auth, StringComparison.OrdinalIgnoreCase);

        // Round robin: every node takes the cookie (a node a health probe found slow may be skipped for a moment).
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 12 && seen.Count < 3; i++)
        {
            using var me = await ada.GetAsync(new Uri("/api/me", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal("ada", (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("handle").GetString());
            seen.Add(me.Headers.GetValues(Balancer.BackendHeader).Single());
        }
        Assert.Equal(3, seen.Count);
        var cookie = adaCookies.GetCookieHeader(new Uri(balancer.Url));
        foreach (var n in nodes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, n.Url + "/api/me");
            request.Headers.Add("Cookie", cookie);
            using var me = await direct.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }
        // The antiforgery token one node handed out works on the others.
        var csrf = await MemberSessions.CsrfAsync(ada);
        seen.Clear();
        for (var i = 0; i < AdaSignInVotes && seen.Count < 3; i++)
        {
            using var vote = await AdaVoteAsync(ada, csrf, seed.Papers[i]);
            Assert.Equal(HttpStatusCode.OK, vote.StatusCode);
            seen.Add(vote.Headers.GetValues(Balancer.BackendHeader).Single());
        }
        Assert.Equal(3, seen.Count);
        Say("signed in through the balancer: form, link, cookie and antiforgery token each on another node; the link is the public https address; pb_auth is Secure");
    }

    private static async Task<HttpResponseMessage> AdaVoteAsync(HttpClient ada, string csrf, string paper)
    {
        using var request = AdaVote(csrf, paper);
        return await ada.SendAsync(request);
    }

    /// <summary>An upvote by the signed-in member: her cookie (from the client) and the antiforgery header.</summary>
    private static HttpRequestMessage AdaVote(string csrf, string paper)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/papers/{paper}/upvote");
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        return request;
    }

    /// <summary>A vote written on node 1 and a comment on node 2 show on every node within Web:ChangePollSeconds (each node's cached answer included).</summary>
    private async Task WritesShowOnEveryNodeAsync(List<ClusterNode> nodes, HttpClient direct, Seed seed)
    {
        var paper = seed.Papers[^1];
        async Task<int> UpvotesAsync(ClusterNode n) =>
            (await direct.GetFromJsonAsync<JsonElement>(new Uri($"{n.Url}/api/papers/{paper}"))).GetProperty("upvotes").GetInt32();
        var before = new List<int>();
        foreach (var n in nodes)
        {
            before.Add(await UpvotesAsync(n)); // now in each node's page cache, as is the paper's page
            (await direct.GetAsync(new Uri($"{n.Url}/papers/{paper}"))).EnsureSuccessStatusCode();
        }
        using (var vote = await direct.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"{nodes[0].Url}/api/papers/{paper}/upvote", seed.Voters[0].Token)))
            Assert.Equal(HttpStatusCode.OK, vote.StatusCode);
        const string Text = "Seen from every node?";
        using (var comment = await direct.SendAsync(MemberSessions.Bearer(HttpMethod.Post, $"{nodes[1].Url}/api/papers/{paper}/comments", seed.Commenter.Token, new { text = Text })))
            Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        var deadline = TimeSpan.FromSeconds(ChangePollSeconds + 7); // the poll interval, plus room for a loaded machine
        for (var i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            var expected = before[i] + 1;
            var sw = Stopwatch.StartNew();
            await WaitForAsync($"the vote on {n.Name}", deadline, async () => await UpvotesAsync(n) == expected);
            await WaitForAsync($"the comment on {n.Name}", deadline, async () =>
                (await direct.GetStringAsync(new Uri($"{n.Url}/papers/{paper}"))).Contains(Text, StringComparison.Ordinal));
            Say($"{n.Name} shows the vote and the comment after {sw.Elapsed.TotalSeconds:F1} s");
        }
    }

    /// <summary>X-Forwarded-For/-Proto believed from the balancer only: rate limits see the real client, loopback-only pages stay shut.</summary>
    private async Task ForwardedHeadersAsync(Balancer balancer, List<ClusterNode> nodes, HttpClient direct)
    {
        using var anonymous = ToBalancer(balancer);
        // The admin API says why it refuses (it also takes the admin token from anywhere); /metrics does not exist there.
        foreach (var (path, refused) in new[] { ("/api/admin/status", HttpStatusCode.Forbidden), ("/metrics", HttpStatusCode.NotFound) })
        {
            using var proxied = await anonymous.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(refused, proxied.StatusCode);
            using var local = await direct.GetAsync(new Uri(nodes[0].Url + path));
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        }

        // A client at 127.0.0.2 asks for sign-in links, each time claiming another address in X-Forwarded-For: the
        // balancer replaces the claim, so the nodes count 127.0.0.2 and refuse it past their budgets (per node).
        async Task<HttpStatusCode> AskAsync(HttpClient client, string email, string? claimed)
        {
            var form = await client.GetStringAsync(new Uri("/sign-in", UriKind.Relative));
            using var post = new HttpRequestMessage(HttpMethod.Post, "/sign-in")
            {
                Content = new FormUrlEncodedContent([new("Email", email), new("__RequestVerificationToken", MemberSessions.FormToken().Match(form).Groups[1].Value)]),
            };
            if (claimed is not null)
                post.Headers.Add("X-Forwarded-For", claimed);
            using var answer = await client.SendAsync(post);
            return answer.StatusCode;
        }
        using var first = ToBalancer(balancer, new CookieContainer(), IPAddress.Parse("127.0.0.2"));
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < SignInsPerClient * nodes.Count + 2 && !answers.Contains(HttpStatusCode.TooManyRequests); i++)
            answers.Add(await AskAsync(first, $"probe{i}@example.org", $"198.51.100.{i + 1}"));
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.InRange(answers.Count(a => a == HttpStatusCode.OK), SignInsPerClient, SignInsPerClient * nodes.Count);
        // Another client is its own budget: the nodes did not count the balancer's address.
        using var second = ToBalancer(balancer, new CookieContainer(), IPAddress.Parse("127.0.0.3"));
        Assert.Equal(HttpStatusCode.OK, await AskAsync(second, "other@example.org", null));
        Say($"forwarded headers: /api/admin/status 403 and /metrics 404 through the balancer; 127.0.0.2 refused after {answers.Count - 1} sign-in requests whatever it claimed, 127.0.0.3 served");
    }

    private sealed record Failure(string What, int Status, string? Backend, double At);

    /// <summary>
    /// Load through the balancer (Daily page reads, upvotes by token and by cookie, comments); one node killed; digests
    /// made due; the node that ran the digest job killed while its mail goes out; then every check.
    /// </summary>
    private async Task FailoverAsync(Balancer balancer, HttpClient ada, List<ClusterNode> nodes, TestStore db, IServiceProvider services, TestSmtp smtp, FakeArxiv fake, Seed seed)
    {
        // A template subscription gives the exact stored shape of the choices; 200 copies confirmed yesterday are made
        // due in one statement below, so one digest run takes them all.
        var secret = ApiTokens.NewSecret();
        await services.GetRequiredService<ISubscriptionStore>().RequestAsync("template@example.org", null, new SubscriptionChoices { Trending = true },
            ApiTokens.Hash(secret), DateTimeOffset.UtcNow, _ => new OutboxMessage("subscribe", "template@example.org", "Confirm", "confirm"));
        var csrf = await MemberSessions.CsrfAsync(ada);

        var acceptedVotes = new ConcurrentBag<(string Paper, long User)>();
        var acceptedComments = new ConcurrentBag<long>();
        var failures = new ConcurrentBag<Failure>();
        var answered = 0;
        using var anonymous = ToBalancer(balancer);
        using var stop = new CancellationTokenSource();
        var start = _clock.Elapsed;
        double Now() => (_clock.Elapsed - start).TotalSeconds;

        // Headers first, then the body: an answer a dying node cut off halfway still names the node it came from.
        async Task RequestAsync(string what, HttpRequestMessage request, HttpClient client, Func<HttpResponseMessage, Task>? accepted = null)
        {
            string? backend = null;
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                backend = response.Headers.TryGetValues(Balancer.BackendHeader, out var b) ? b.Single() : null;
                if (response.IsSuccessStatusCode)
                {
                    if (accepted is not null)
                        await accepted(response);
                    else
                        await response.Content.ReadAsByteArrayAsync();
                    Interlocked.Increment(ref answered);
                }
                else
                {
                    failures.Add(new Failure(what, (int)response.StatusCode, backend, Now()));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                failures.Add(new Failure($"{what} ({ex.GetType().Name}: {ex.Message})", 0, backend, Now()));
            }
            finally
            {
                request.Dispose();
            }
        }

        var workers = new List<Task>();
        for (var r = 0; r < 3; r++)
        {
            var path = r % 2 == 0 ? "/" : "/api/daily_papers";
            workers.Add(Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                    await RequestAsync("GET " + path, new HttpRequestMessage(HttpMethod.Get, path), anonymous);
            }));
        }
        // Token voters: each worker owns every fourth member, and each member votes the papers in turn (distinct pairs).
        const int VoteWorkers = 4;
        for (var w = 0; w < VoteWorkers; w++)
        {
            var mine = seed.Voters.Where((_, i) => i % VoteWorkers == w).ToList();
            workers.Add(Task.Run(async () =>
            {
                foreach (var paper in seed.Papers.SkipLast(1))
                {
                    foreach (var v in mine)
                    {
                        if (stop.IsCancellationRequested)
                            return;
                        await RequestAsync("POST upvote", MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{paper}/upvote", v.Token), anonymous,
                            async r => { await r.Content.ReadAsByteArrayAsync(); acceptedVotes.Add((paper, v.User.Id)); });
                        await Task.Delay(5);
                    }
                }
            }));
        }
        var adaId = (await services.GetRequiredService<IUserStore>().FindUserByEmailAsync("ada@example.org"))!.Id;
        workers.Add(Task.Run(async () =>
        {
            foreach (var paper in seed.Papers.Skip(AdaSignInVotes).SkipLast(1))
            {
                if (stop.IsCancellationRequested)
                    return;
                await RequestAsync("POST upvote (cookie)", AdaVote(csrf, paper), ada, async r => { await r.Content.ReadAsByteArrayAsync(); acceptedVotes.Add((paper, adaId)); });
                await Task.Delay(50);
            }
        }));
        workers.Add(Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var paper = seed.Papers[i % seed.Papers.Count];
                await RequestAsync("POST comment", MemberSessions.Bearer(HttpMethod.Post, $"/api/papers/{paper}/comments", seed.Commenter.Token, new { text = $"Comment {i} under load" }), anonymous,
                    async r => acceptedComments.Add((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64()));
                await Task.Delay(20);
            }
        }));

        // The first kill: a node chosen beforehand, whatever it is doing.
        await Task.Delay(TimeSpan.FromSeconds(3));
        nodes[2].Kill();
        Say($"load running: killed {nodes[2].Name} at {Now():F1} s");

        // Digests due now for 200 subscribers confirmed yesterday (the Daily's papers are new to them).
        await Task.Delay(TimeSpan.FromSeconds(1));
        var smtpBefore = smtp.Received.Count;
        await ExecuteAsync(db, """
            INSERT INTO subscriptions(email, choices, created_at, confirmed_at, digest_since)
            SELECT 'reader' || g || '@example.org', t.choices, @at, @at, @at
            FROM generate_series(1, @n) g, (SELECT COALESCE(pending_choices, choices) AS choices FROM subscriptions WHERE email = 'template@example.org') t
            """, ("at", DateTimeOffset.UtcNow.AddDays(-1)), ("n", Subscribers));
        Say($"{Subscribers} digests due at {Now():F1} s");

        // The node that ran the digest job (its log says how many it queued), killed while its mail goes out: once
        // it holds a claimed batch with messages sent and not yet marked.
        ClusterNode? digestNode = null;
        await WaitForAsync("a node to queue the digests", TimeSpan.FromSeconds(30), () =>
        {
            digestNode = nodes.FirstOrDefault(n => !n.Killed && n.Output.Select(l => DigestsQueued().Match(l)).Any(m => m.Success && m.Groups[1].Value != "0"));
            return Task.FromResult(digestNode is not null);
        });
        var holding = false;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(20) && !holding)
        {
            var (claimed, _) = await ScalarsAsync(db, $"SELECT COUNT(*), 0 FROM outbox WHERE kind = 'digest' AND sent_at IS NULL AND claimed_until > now() AND claimed_by LIKE '%/{digestNode!.Pid}/%'");
            holding = claimed > 0 && DigestsIn(smtp, smtpBefore).Count >= 40;
            if (!holding)
                await Task.Delay(25);
        }
        var sentBeforeKill = DigestsIn(smtp, smtpBefore).Count;
        digestNode!.Kill();
        Say($"killed {digestNode.Name}, which ran the digest job, at {Now():F1} s: {sentBeforeKill} digests accepted by then; it {(holding ? "held a claimed batch" : "held no claimed batch (timed out waiting)")}");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Say($"load stopped at {Now():F1} s: {answered} requests answered 2xx, {failures.Count} failed, {acceptedVotes.Count} votes and {acceptedComments.Count} comments acknowledged; balancer: {balancer.Stats}");

        // Every subscriber served: the survivor sends the rest, and the dead node's batch once its claim runs out.
        await WaitForAsync("every subscriber's digest", TimeSpan.FromSeconds(90),
            () => Task.FromResult(DigestsIn(smtp, smtpBefore).Select(m => m.To.Mailboxes.Single().Address).Distinct(StringComparer.Ordinal).Count() >= Subscribers));
        await Task.Delay(TimeSpan.FromSeconds(1)); // nothing more to come
        var digests = DigestsIn(smtp, smtpBefore);
        var byReader = digests.GroupBy(m => m.To.Mailboxes.Single().Address, StringComparer.Ordinal).ToList();
        var duplicates = digests.Count - byReader.Count;
        Say($"digests: {byReader.Count} subscribers served, {digests.Count} messages, {duplicates} resent (the batch in flight at the kill)");
        Assert.Equal(Subscribers, byReader.Count);
        Assert.All(byReader, g => Assert.Single(g.Select(m => m.MessageId).Distinct(StringComparer.Ordinal)));
        Assert.InRange(duplicates, 0, SendBatch);

        // Every acknowledged write is in the database.
        var votes = new HashSet<(string, long)>();
        var comments = new HashSet<long>();
        await using (var conn = new NpgsqlConnection(db.Settings["Storage:ConnectionString"]))
        {
            await conn.OpenAsync();
            await using (var cmd = new NpgsqlCommand("SELECT paper_id, user_id FROM votes", conn))
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                while (await r.ReadAsync())
                    votes.Add((r.GetString(0), r.GetInt64(1)));
            }
            await using (var cmd = new NpgsqlCommand("SELECT id FROM comments", conn))
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                while (await r.ReadAsync())
                    comments.Add(r.GetInt64(0));
            }
        }
        var lost = acceptedVotes.Count(v => !votes.Contains(v)) + acceptedComments.Count(c => !comments.Contains(c));
        Say($"lost acknowledged writes: {lost}");
        Assert.Equal(0, lost);
        Assert.True(acceptedVotes.Count > 100 && !acceptedComments.IsEmpty, $"too little load: {acceptedVotes.Count} votes, {acceptedComments.Count} comments");

        // Errors only for requests in flight on a killed node: each names one, and there are at most as many as
        // requests could be in flight at the two kills (one per worker each).
        var killed = nodes.Where(n => n.Killed).Select(n => n.Url).ToHashSet(StringComparer.Ordinal);
        foreach (var f in failures)
            Say($"  failed: {f.What} {f.Status} from {f.Backend ?? "(no answer)"} at {f.At:F1} s");
        // 502: the balancer's answer for a write the node took and never answered; 0: an answer the node cut off.
        Assert.All(failures, f => Assert.True(f.Status is 502 or 0 && f.Backend is not null && killed.Contains(f.Backend), $"{f.What}: {f.Status} from {f.Backend ?? "no backend"} at {f.At:F1} s"));
        Assert.InRange(failures.Count, 0, 2 * workers.Count);

        // The daily ingestion ran once in all: one read of the feed, one harvest from the start.
        var feedReads = fake.Requests.Count(r => r.PathAndQuery == "/atom/cs.CL");
        var harvests = fake.Requests.Count(r => r.PathAndQuery.StartsWith("/oai?verb=ListRecords", StringComparison.Ordinal) && r.PathAndQuery.Contains("metadataPrefix=", StringComparison.Ordinal));
        Say($"daily ingestion: the feed read {feedReads} time(s), the harvest started {harvests} time(s)");
        Assert.Equal((1, 1), (feedReads, harvests));

        // The survivor still serves the site through the balancer.
        using var home = await anonymous.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    private static List<MimeKit.MimeMessage> DigestsIn(TestSmtp smtp, int after) =>
        [.. smtp.Received.Skip(after).Where(m => m.Headers.Contains("List-Id") && m.To.Mailboxes.Single().Address.StartsWith("reader", StringComparison.Ordinal))];

    /// <summary>An https client of the balancer that trusts its certificate only; optionally with cookies and from another loopback address.</summary>
    private static HttpClient ToBalancer(Balancer balancer, CookieContainer? cookies = null, IPAddress? from = null)
    {
        var thumbprint = balancer.Certificate!.GetCertHashString();
        var handler = new SocketsHttpHandler
        {
            UseCookies = cookies is not null,
            CookieContainer = cookies ?? new CookieContainer(),
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == thumbprint },
        };
        if (from is not null)
        {
            handler.ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        return new HttpClient(handler) { BaseAddress = new Uri(balancer.Url), Timeout = TimeSpan.FromSeconds(60) };
    }

    private static async Task WaitForAsync(string what, TimeSpan timeout, Func<Task<bool>> done)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await done())
                    return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < until)
            {
            }
            if (DateTime.UtcNow >= until)
                throw new TimeoutException($"{what}: not within {timeout.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    private static async Task<(long, long)> ScalarsAsync(TestStore db, string sql)
    {
        await using var conn = new NpgsqlConnection(db.Settings["Storage:ConnectionString"]);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture));
    }

    private static async Task ExecuteAsync(TestStore db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(db.Settings["Storage:ConnectionString"]);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync();
    }
}
