using Microsoft.Extensions.DependencyInjection;
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
    public async Task A_message_claimed_by_a_node_that_died_is_sent_once_its_claim_runs_out()
    {
        var outbox = _factory.Services.GetRequiredService<IOutboxStore>();
        // Another node committed the message and claimed it, then was killed before sending it.
        await using (var other = new PaperboyFactory(_db, new Dictionary<string, string?> { ["Mail:PollSeconds"] = "3600" }, _clock))
        {
            await other.Services.GetRequiredService<IOutboxStore>().EnqueueAsync(Message("d@example.org"), _clock.GetUtcNow());
        }
        var claimed = await outbox.ClaimAsync("dead-node", _clock.GetUtcNow(), TimeSpan.FromMinutes(2), 10);
        Assert.Single(claimed);
        var stalled = await SettleAsync(_ => false, seconds: 1.5); // time for a wrong send to happen
        Assert.Equal(1L, stalled.Pending);
        Assert.Empty(_smtp.Received);

        _clock.Advance(TimeSpan.FromMinutes(3));
        var done = await SettleAsync(s => s.Sent == 1);
        Assert.Equal(1L, done.Sent);
        Assert.Single(_smtp.Received);
        await SettleAsync(_ => false, seconds: 1.5); // time for a wrong send to happen
        Assert.Single(_smtp.Received);
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
