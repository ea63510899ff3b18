using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Paperboy.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on a loopback port (the SmtpServer package), collecting what it accepts. <see cref="Refuse"/>
/// makes it answer the next messages with a 4xx or 5xx instead, to test retries and permanent failures.
/// </summary>
public sealed class TestSmtp : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly ConcurrentQueue<int> _refusals = new();

    public int Port { get; }
    public ConcurrentQueue<MimeMessage> Received { get; } = new();
    public int Refused => _refusedCount;
    private int _refusedCount;

    private TestSmtp(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public static TestSmtp Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new TestSmtp(port);
    }

    /// <summary>The settings that send Paperboy's mail here.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Mail:Smtp:Host"] = "127.0.0.1",
        ["Mail:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mail:Smtp:Security"] = "None",
        ["Mail:PollSeconds"] = "0.2",
    };

    /// <summary>Answers the next message with this SMTP code (451: try later; 550: never).</summary>
    public void Refuse(int code) => _refusals.Enqueue(code);

    /// <summary>Waits for a message to <paramref name="to"/> and returns it.</summary>
    public async Task<MimeMessage> WaitForAsync(string to, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < until)
        {
            var found = Received.LastOrDefault(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, to, StringComparison.OrdinalIgnoreCase)));
            if (found is not null)
                return found;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no mail to {to} within the time");
    }

    /// <summary>The first link to the site in a message's text.</summary>
    public static string Link(MimeMessage message) =>
        System.Text.RegularExpressions.Regex.Match(message.TextBody ?? "", @"https?://\S+").Value;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store(TestSmtp owner) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (owner._refusals.TryDequeue(out var code))
            {
                Interlocked.Increment(ref owner._refusedCount);
                return Task.FromResult(new SmtpResponse((SmtpReplyCode)code, code >= 500 ? "mailbox unavailable" : "try again later"));
            }
            using var stream = new MemoryStream(buffer.ToArray());
            owner.Received.Enqueue(MimeMessage.Load(stream, cancellationToken));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
