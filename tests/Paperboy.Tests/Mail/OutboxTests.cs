using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Paperboy.Core.Mail;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Mail;

/// <summary>The outbox and its sender against a real SMTP server on loopback, with the clock in the test's hands.</summary>
public abstract class OutboxTests : IAsyncLifetime
{
    protected abstract string Provider { get; }

    private readonly TestClock _clock = new(new DateTimeOffset(2025, 3, 26, 10, 0, 0, TimeSpan.Zero));
    private TestStore _db = null!;
    private TestSmtp _smtp = null!;
    private PaperboyFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync(Provider);
        _smtp = TestSmtp.Start();
        _factory = new PaperboyFactory(_db, _smtp.Settings(), _clock);
        _ = _factory.Services; // starts the host and its sender
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static OutboxMessage Message(string to) => new("test", to, "Hello " + to, "Plain text for " + to, "<p>HTML for " + to + "</p>");

    private async Task<OutboxStats> SettleAsync(Func<OutboxStats, bool> until, double seconds = 20)
    {
        var outbox = _factory.Services.GetRequiredService<IOutboxStore>();
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            _factory.Services.GetRequiredService<OutboxSender>().Wake();
            var stats = await outbox.GetStatsAsync();
            if (until(stats) || DateTime.UtcNow > deadline)
                return stats;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_temporary_refusal_is_retried_after_its_wait_and_a_permanent_one_never()
    {
        var outbox = _factory.Services.GetRequiredService<IOutboxStore>();
        _smtp.Refuse(451);
        _smtp.Refuse(550);
        foreach (var to in new[] { "a@example.org", "b@example.org", "c@example.org" })
            await outbox.EnqueueAsync(Message(to), _clock.GetUtcNow());
        var first = await SettleAsync(s => s.Sent == 1 && s.Failed == 1);
        Assert.True((1L, 1L, 1L) == (first.Pending, first.Sent, first.Failed), first.ToString());
        var received = Assert.Single(_smtp.Received);
        Assert.Equal("Hello c@example.org", received.Subject);
        Assert.Equal("Plain text for c@example.org", (received.TextBody ?? "").Trim());
        Assert.Contains("HTML for c@example.org", received.HtmlBody, StringComparison.Ordinal);

        // The 451 waits its 30 seconds, then goes; the 550 stays failed however long we wait.
        _clock.Advance(TimeSpan.FromSeconds(31));
        var second = await SettleAsync(s => s.Sent == 2);
        Assert.Equal((0L, 2L, 1L), (second.Pending, second.Sent, second.Failed));
        _clock.Advance(TimeSpan.FromDays(1));
        await SettleAsync(_ => false, seconds: 1.5); // time for a wrong send to happen
        Assert.Equal(["c@example.org", "a@example.org"], _smtp.Received.Select(m => m.To.Mailboxes.Single().Address));
        Assert.Equal(2, _smtp.Refused);
    }

    [Fact]
    public async Task A_digest_refused_for_good_three_times_suspends_the_subscription()
    {
        var subscriptions = _factory.Services.GetRequiredService<Core.Digests.ISubscriptionStore>();
        var secret = Core.Accounts.ApiTokens.NewSecret();
        var s = await subscriptions.RequestAsync("gone@example.org", null, new Core.Digests.SubscriptionChoices(), Core.Accounts.ApiTokens.Hash(secret), _clock.GetUtcNow(),
            _ => Message("someone@example.org"));
        await subscriptions.ConfirmAsync(s.Id, Core.Accounts.ApiTokens.Hash(secret), _clock.GetUtcNow());
        await SettleAsync(st => st.Sent == 1);
        var outbox = _factory.Services.GetRequiredService<IOutboxStore>();
        for (var i = 1; i <= 3; i++)
        {
            _smtp.Refuse(550);
            await outbox.EnqueueAsync(new OutboxMessage("digest", "gone@example.org", "Paperboy daily digest", "text"), _clock.GetUtcNow());
            await SettleAsync(st => st.Failed == i);
            Assert.Equal(i < 3, (await subscriptions.GetAsync(s.Id))!.Active);
        }
    }

    [Fact]
    public async Task A_message_queued_finished_is_sent_as_the_row_would_have_made_it()
    {
        var outbox = _factory.Services.GetRequiredService<IOutboxStore>();
        var sender = _factory.Services.GetRequiredService<OutboxSender>();
        var t0 = _clock.GetUtcNow();
        var message = new OutboxMessage("digest", "e@example.org", "Digest for Erdős", "Text · with a long line " + new string('x', 200) + "\nand = signs",
            "<p style=\"color:#123\">HTML for Schrödinger …</p>", Key: "digest:7:d:2025-03-26")
        {
            Headers = new Dictionary<string, string> { ["List-Id"] = "Paperboy digest <digest.papers.example.org>", ["List-Unsubscribe"] = "<https://papers.example.org/unsubscribe?token=a%2Fb>" },
        };
        // Without a key its Message-ID would come from the row, unknown before the insert: refused.
        Assert.Throws<ArgumentException>(() => sender.Finish(message with { Key = null }, t0));
        var finished = sender.Finish(message, t0);
        Assert.NotNull(finished.Mime);
        Assert.Equal("", finished.TextBody);
        await outbox.EnqueueAsync(finished, t0);
        await outbox.EnqueueAsync(finished, t0); // the key: queued once
        var received = await _smtp.WaitForAsync("e@example.org");
        await SettleAsync(s => s.Sent == 1);

        // What the sender makes from an unfinished row with the same key and instant.
        var made = MimeMessage.Load(new MemoryStream(sender.Bytes(new OutboxItem(12345, message, 1, t0))));
        Assert.Equal(made.MessageId, received.MessageId);
        Assert.StartsWith("k-", received.MessageId, StringComparison.Ordinal);
        Assert.Equal(made.Date, received.Date);
        Assert.Equal("Digest for Erdős", received.Subject);
        Assert.Equal(made.TextBody, received.TextBody);
        Assert.Equal(made.HtmlBody, received.HtmlBody);
        Assert.Equal("<p style=\"color:#123\">HTML for Schrödinger …</p>", received.HtmlBody);
        Assert.Equal("Text · with a long line " + new string('x', 200) + "\nand = signs", received.TextBody?.ReplaceLineEndings("\n"));
        foreach (var name in new[] { "List-Id", "List-Unsubscribe" })
            Assert.Equal(message.Headers[name], received.Headers[name]);
        Assert.Single(_smtp.Received);
    }

    [Fact]
    public void A_finished_message_is_handed_to_MailKit_as_it_was_stored()
    {
        var sender = _factory.Services.GetRequiredService<OutboxSender>();
        var message = new OutboxMessage("digest", "Zoë <z@example.org>", "Ünïcode subject " + new string('s', 120), "line\n.starts with a dot\n", "<p>Ωmega</p>", Key: "k1")
        {
            Headers = new Dictionary<string, string> { ["List-Id"] = "Paperboy digest <digest.papers.example.org>" },
        };
        var bytes = sender.Finish(message, _clock.GetUtcNow()).Mime!;
        var opened = sender.Compose(new OutboxItem(1, message with { Mime = bytes }, 1, _clock.GetUtcNow()));
        // What MailKit reads from it (sender, recipients, id) comes from the headers; what it writes is the stored bytes.
        var parsed = MimeMessage.Load(new MemoryStream(bytes));
        Assert.Equal("z@example.org", opened.To.Mailboxes.Single().Address);
        Assert.Equal(parsed.From.Mailboxes.Single().Address, opened.From.Mailboxes.Single().Address);
        Assert.Equal(parsed.MessageId, opened.MessageId);
        Assert.Equal("<p>Ωmega</p>", parsed.HtmlBody);
        opened.Prepare(EncodingConstraint.SevenBit, 998);
        using var written = new MemoryStream();
        opened.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, written);
        Assert.Equal(bytes, written.ToArray());
        Assert.Throws<FormatException>(() => FinishedMessage.Open("From: a@b.c\r\nno blank line"u8.ToArray()));
    }

    [Fact]
    public async Task A_message_claimed_by_a_node_that_died_is_sent_once_its_claim_runs_out()
    {
        var outbox = _factory.Services.GetRequiredService<IOutboxStore>();
        // Another node committed the message (due a minute from now, so this node's sender leaves it alone until
        // then) and claimed it when it came due, then was killed before sending it.
        var t0 = _clock.GetUtcNow();
        await outbox.EnqueueAsync(Message("d@example.org"), t0.AddMinutes(1));
        var claimed = await outbox.ClaimAsync("dead-node", t0.AddMinutes(1), TimeSpan.FromMinutes(2), 10);
        Assert.Single(claimed);
        _clock.Advance(TimeSpan.FromMinutes(2)); // due, but still claimed by the dead node
        var stalled = await SettleAsync(_ => false, seconds: 1.5); // time for a wrong send to happen
        Assert.Equal(1L, stalled.Pending);
        Assert.Empty(_smtp.Received);

        _clock.Advance(TimeSpan.FromMinutes(2)); // the claim ran out
        var done = await SettleAsync(s => s.Sent == 1);
        Assert.Equal(1L, done.Sent);
        Assert.Single(_smtp.Received);
        await SettleAsync(_ => false, seconds: 1.5); // time for a wrong send to happen
        Assert.Single(_smtp.Received);
    }
}

/// <summary>DKIM signing with a configured key, checked by MimeKit's verifier against the matching public key.</summary>
public sealed class DkimTests : IAsyncLifetime
{
    private readonly TestData.TempDir _dir = new();
    private TestStore _db = null!;
    private TestSmtp _smtp = null!;

    public async Task InitializeAsync()
    {
        _db = await TestStore.CreateAsync("sqlite");
        _smtp = TestSmtp.Start();
    }

    public async Task DisposeAsync()
    {
        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
        _dir.Dispose();
    }

    private sealed class OneKey(string publicKeyBase64) : MimeKit.Cryptography.DkimPublicKeyLocatorBase
    {
        public override Org.BouncyCastle.Crypto.AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            GetPublicKey("v=DKIM1; k=rsa; p=" + publicKeyBase64);

        public override Task<Org.BouncyCastle.Crypto.AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }

    [Fact]
    public async Task A_configured_key_signs_every_message_and_the_signature_verifies()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var keyPath = Path.Combine(_dir.Path, "dkim.pem");
        await File.WriteAllTextAsync(keyPath, rsa.ExportRSAPrivateKeyPem());
        var settings = _smtp.Settings();
        settings["Mail:From"] = "Paperboy <digest@papers.example.org>";
        settings["Mail:Dkim:Domain"] = "papers.example.org";
        settings["Mail:Dkim:Selector"] = "pb2026";
        settings["Mail:Dkim:PrivateKeyPath"] = keyPath;
        await using var factory = new PaperboyFactory(_db, settings);
        var outbox = factory.Services.GetRequiredService<IOutboxStore>();
        var sender = factory.Services.GetRequiredService<OutboxSender>();
        await outbox.EnqueueAsync(
            new OutboxMessage("test", "ada@example.org", "Signed", "Plain text", "<p>HTML</p>") { Headers = new Dictionary<string, string> { ["List-Id"] = "Paperboy digest <digest.papers.example.org>" } },
            DateTimeOffset.UtcNow);
        // A digest is signed as it is finished, when queued; the sender sends the signed bytes as they are.
        await outbox.EnqueueAsync(sender.Finish(
            new OutboxMessage("digest", "grace@example.org", "Signed early", "Plain text · ü", "<p>HTML …</p>", Key: "digest:1:d:2025-03-26") { Headers = new Dictionary<string, string> { ["List-Id"] = "Paperboy digest <digest.papers.example.org>" } },
            DateTimeOffset.UtcNow), DateTimeOffset.UtcNow);
        sender.Wake();
        var message = await _smtp.WaitForAsync("ada@example.org");
        var early = await _smtp.WaitForAsync("grace@example.org");
        var header = message.Headers.First(h => h.Id == MimeKit.HeaderId.DkimSignature);
        Assert.Contains("d=papers.example.org", header.Value, StringComparison.Ordinal);
        Assert.Contains("s=pb2026", header.Value, StringComparison.Ordinal);
        var publicKey = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        var verifier = new MimeKit.Cryptography.DkimVerifier(new OneKey(publicKey));
        Assert.True(await verifier.VerifyAsync(message, header));
        Assert.True(await verifier.VerifyAsync(early, early.Headers.First(h => h.Id == MimeKit.HeaderId.DkimSignature)));
        Assert.Equal("Plain text · ü", early.TextBody);
        // Altered on the way: the signature no longer holds.
        message.Subject = "Changed";
        Assert.False(await verifier.VerifyAsync(message, header));
    }
}

public sealed class SqliteOutboxTests : OutboxTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgresOutboxTests : OutboxTests
{
    protected override string Provider => "postgres";
}
