using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Paperboy.Bench;

/// <summary>
/// A raw SMTP sink on loopback: answers 220/250/354/250/221 (PIPELINING and 8BITMIME offered), counts messages and
/// bytes, keeps nothing but, when asked, each message's recipients and Message-ID. Cheap, so a benchmark measures the
/// sender, not the server.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private static readonly byte[] Greeting = "220 sink ESMTP\r\n"u8.ToArray();
    private static readonly byte[] Ehlo = "250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"u8.ToArray();
    private static readonly byte[] Ok = "250 OK\r\n"u8.ToArray();
    private static readonly byte[] Data = "354 go ahead\r\n"u8.ToArray();
    private static readonly byte[] Bye = "221 bye\r\n"u8.ToArray();
    private static readonly byte[] Unknown = "502 not implemented\r\n"u8.ToArray();
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private long _messages;
    private long _bytes;

    private readonly Action<string, string?>? _delivered;

    private SmtpSink(Action<string, string?>? delivered)
    {
        _delivered = delivered;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Messages => Interlocked.Read(ref _messages);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Starts on a free loopback port; <paramref name="delivered"/> hears of each message (recipients, Message-ID).</summary>
    public static SmtpSink Start(Action<string, string?>? delivered = null) => new(delivered);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            socket.NoDelay = true;
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var buffer = new byte[64 * 1024];
        var line = new List<byte>(256);
        var inData = false;
        var inHeaders = false;
        long size = 0;
        var recipients = new List<string>();
        string? messageId = null;
        try
        {
            await stream.WriteAsync(Greeting, _stop.Token);
            while (true)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                    return;
                // Answers for every complete command in this read, written at once (a pipelined batch gets one write).
                using var replies = new MemoryStream();
                for (var i = 0; i < read; i++)
                {
                    var b = buffer[i];
                    line.Add(b);
                    if (b != (byte)'\n')
                        continue;
                    size += line.Count;
                    if (inData)
                    {
                        if (line.Count == 3 && line[0] == '.' && line[1] == '\r')
                        {
                            inData = false;
                            Interlocked.Increment(ref _messages);
                            Interlocked.Add(ref _bytes, size);
                            // Recorded before the 250 goes out: what the sender was told is accepted, is written down.
                            _delivered?.Invoke(string.Join(',', recipients), messageId);
                            recipients.Clear();
                            messageId = null;
                            replies.Write(Ok);
                        }
                        else if (inHeaders && _delivered is not null)
                        {
                            if (line.Count <= 2)
                                inHeaders = false;
                            else if (line.Count > 11 && Encoding.ASCII.GetString(line.GetRange(0, 11).ToArray()).Equals("Message-Id:", StringComparison.OrdinalIgnoreCase))
                                messageId = Encoding.ASCII.GetString(line.ToArray())[11..].Trim();
                        }
                    }
                    else
                    {
                        var command = line.Count >= 4 ? Encoding.ASCII.GetString(line.GetRange(0, 4).ToArray()).ToUpperInvariant() : "";
                        switch (command)
                        {
                            case "EHLO":
                            case "HELO":
                                replies.Write(Ehlo);
                                break;
                            case "RCPT":
                                var to = Encoding.ASCII.GetString(line.ToArray());
                                recipients.Add(to[(to.IndexOf('<', StringComparison.Ordinal) + 1)..Math.Max(to.IndexOf('<', StringComparison.Ordinal) + 1, to.IndexOf('>', StringComparison.Ordinal))]);
                                replies.Write(Ok);
                                break;
                            case "RSET":
                                recipients.Clear();
                                replies.Write(Ok);
                                break;
                            case "MAIL":
                            case "NOOP":
                                replies.Write(Ok);
                                break;
                            case "DATA":
                                inData = true;
                                inHeaders = true;
                                size = 0;
                                replies.Write(Data);
                                break;
                            case "QUIT":
                                replies.Write(Bye);
                                await stream.WriteAsync(replies.GetBuffer().AsMemory(0, (int)replies.Length), _stop.Token);
                                return;
                            default:
                                replies.Write(Unknown);
                                break;
                        }
                    }
                    line.Clear();
                }
                if (replies.Length > 0)
                    await stream.WriteAsync(replies.GetBuffer().AsMemory(0, (int)replies.Length), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // the client went away
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
