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
