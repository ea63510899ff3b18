using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Mail;

/// <summary>The real executable killed with SIGKILL after a sign-in mail was committed and before it was sent.</summary>
public sealed class MailProcessTests : IDisposable
{
    private readonly TestData.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private Process Serve(int port, int smtpPort, int retrySeconds = 1)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "paperboy.dll"), "serve", "--data", _dir.Path, "--urls", $"http://127.0.0.1:{port}" })
            psi.ArgumentList.Add(a);
        psi.Environment["PAPERBOY_Storage__Provider"] = "sqlite";
        psi.Environment["PAPERBOY_Arxiv__Schedule__Enabled"] = "false";
        psi.Environment["PAPERBOY_Search__Semantic"] = "false";
        psi.Environment["PAPERBOY_Mail__Smtp__Host"] = "127.0.0.1";
        psi.Environment["PAPERBOY_Mail__Smtp__Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["PAPERBOY_Mail__Smtp__Security"] = "None";
        psi.Environment["PAPERBOY_Mail__PollSeconds"] = "0.2";
        psi.Environment["PAPERBOY_Mail__RetryBaseSeconds"] = retrySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task WaitUpAsync(HttpClient http)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri("/healthz", UriKind.Relative))).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("serve did not come up");
    }

    [Fact]
    public async Task A_sign_in_mail_committed_before_a_kill_9_is_sent_after_the_restart_once()
    {
        // First life: the SMTP server is not there yet, so the mail stays in the outbox (a temporary failure).
        var port = FreePort();
        await using var smtp = TestSmtp.Start();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using (var first = Serve(port, FreePort(), retrySeconds: 5))
        {
            await WaitUpAsync(http);
            var form = await http.GetAsync(new Uri("/sign-in", UriKind.Relative));
            var html = await form.Content.ReadAsStringAsync();
            using var post = new HttpRequestMessage(HttpMethod.Post, "/sign-in")
            {
                Content = new FormUrlEncodedContent([new("Email", "ada@example.org"), new("__RequestVerificationToken", MemberSessions.FormToken().Match(html).Groups[1].Value)]),
            };
            post.Headers.Add("Cookie", string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));
            using var asked = await http.SendAsync(post);
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
            // The first try has failed by now (connection refused) and the next is seconds away: the mail is committed,
            // unsent and unclaimed when the process dies.
            await Task.Delay(1000);
            first.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no flushing
            await first.WaitForExitAsync();
        }
        Assert.Empty(smtp.Received);

        // Second life, with the SMTP server: the committed mail goes out, once, and its link works.
        using var second = Serve(port, smtp.Port);
        try
        {
            await WaitUpAsync(http);
            var mail = await smtp.WaitForAsync("ada@example.org", TimeSpan.FromSeconds(30));
            var link = TestSmtp.Link(mail);
            Assert.Contains("/sign-in/link?token=", link, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(new Uri(link).PathAndQuery, UriKind.Relative))).StatusCode);
            await Task.Delay(1500);
            Assert.Single(smtp.Received);
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }
}

/// <summary>`paperboy digest run` killed with SIGKILL while it sends, then run again: everyone gets the digest once, bar the batch in flight.</summary>
public sealed class DigestProcessTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly TestData.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Process DigestRun(int smtpPort)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "paperboy.dll"), "digest", "run", "--data", _dir.Path, "--now", "2025-03-22T08:00:00Z" })
            psi.ArgumentList.Add(a);
        psi.Environment["PAPERBOY_Storage__Provider"] = "sqlite";
        psi.Environment["PAPERBOY_Search__Semantic"] = "false";
        psi.Environment["PAPERBOY_Mail__Smtp__Host"] = "127.0.0.1";
        psi.Environment["PAPERBOY_Mail__Smtp__Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["PAPERBOY_Mail__Smtp__Security"] = "None";
        psi.Environment["PAPERBOY_Mail__MaxPerMinute"] = "3000"; // 50 a second: the kill lands mid-send
        psi.Environment["PAPERBOY_Mail__ClaimSeconds"] = "2";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine("digest run: " + e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine("digest run: " + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    [Fact]
    public async Task A_digest_run_killed_while_sending_and_run_again_misses_nobody()
    {
        const int Readers = 300;
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Paperboy.Storage.Sqlite.SqliteStorage.AddSqliteStorage(services, _ => _dir.Path);
        await using (var sp = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services))
        {
            var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Core.Papers.IPaperStore>(sp);
            await store.MigrateAsync();
            await Importing.ImportAsync(store, TestData.Listing("2025-03-20"), TestData.Listing("2025-03-21"));
            var subscriptions = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Core.Digests.ISubscriptionStore>(sp);
            var at = new DateTimeOffset(2025, 3, 20, 12, 0, 0, TimeSpan.Zero);
            var outbox = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Core.Mail.IOutboxStore>(sp);
            for (var i = 0; i < Readers; i++)
            {
                var secret = Core.Accounts.ApiTokens.NewSecret();
                var s = await subscriptions.RequestAsync($"reader{i}@example.org", null, new Core.Digests.SubscriptionChoices { Trending = false, Categories = ["cs.CL"] },
                    Core.Accounts.ApiTokens.Hash(secret), at, _ => new Core.Mail.OutboxMessage("subscribe", $"reader{i}@example.org", "confirm", "confirm"));
                await subscriptions.ConfirmAsync(s.Id, Core.Accounts.ApiTokens.Hash(secret), at);
            }
            // The confirmations went out long ago: not this test's mail.
            foreach (var item in await outbox.ClaimAsync("setup", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), 10_000))
                await outbox.MarkSentAsync(item.Id, DateTimeOffset.UtcNow);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        await using var smtp = TestSmtp.Start();
        using (var first = DigestRun(smtp.Port))
        {
            var until = DateTime.UtcNow.AddSeconds(60);
            while (smtp.Received.Count < 60 && DateTime.UtcNow < until && !first.HasExited)
                await Task.Delay(20);
            Assert.False(first.HasExited, "the run ended before the kill");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var beforeRestart = smtp.Received.Count;
        Assert.InRange(beforeRestart, 60, Readers - 1);
        await Task.Delay(2500); // the dead run's claim on its batch runs out
        using (var second = DigestRun(smtp.Port))
            await second.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        var byReader = smtp.Received.GroupBy(m => m.To.Mailboxes.Single().Address).ToDictionary(g => g.Key, g => g.Count());
        var duplicates = smtp.Received.Count - byReader.Count;
        output.WriteLine($"{Readers} subscribers; {beforeRestart} digests accepted before the kill; {smtp.Received.Count} in all; duplicates (the batch in flight at the kill): {duplicates}");
        Assert.Equal(Readers, byReader.Count);
        Assert.InRange(duplicates, 0, 50);
        // A copy carries the same Message-ID as the first: one distinct id per reader, so mail clients fold them.
        Assert.Equal(byReader.Count, smtp.Received.Select(m => m.MessageId).Distinct().Count());
    }
}
