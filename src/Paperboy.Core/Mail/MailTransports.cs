using MailKit.Net.Smtp;
using MimeKit;

namespace Paperboy.Core.Mail;

/// <summary>Why a message could not be handed over, and whether trying again later may help.</summary>
public sealed class MailDeliveryException(string message, bool permanent, Exception? inner = null) : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
}

/// <summary>Hands messages to the world: an SMTP server, or files in a folder.</summary>
public interface IMailTransport : IAsyncDisposable
{
    /// <summary>Delivers one message; <see cref="MailDeliveryException"/> says whether it is worth trying again.</summary>
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>SMTP through MailKit. One connection carries a batch of messages; it is opened on the first send.</summary>
public sealed class SmtpMailTransport(SmtpOptions options) : IMailTransport
{
    private readonly SmtpClient _client = new() { Timeout = 30_000 };

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        try
        {
            if (!_client.IsConnected)
            {
                // Our own socket, with Nagle off: MailKit pipelines MAIL/RCPT/DATA as separate small writes, and with
                // Nagle on each waits for the last one's delayed ACK (~40 ms), which caps a connection near 20 mails/s.
                var host = options.Host ?? "localhost";
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(host, options.Port, ct);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                await _client.ConnectAsync(socket, host, options.Port, options.Security, ct);
                if (!string.IsNullOrEmpty(options.User))
                    await _client.AuthenticateAsync(options.User, options.Password ?? "", ct);
            }
            await _client.SendAsync(message, ct);
        }
        catch (SmtpCommandException ex)
        {
            // 5xx: the server refused for good (a bad address, a message it will not take); 4xx: try later.
            throw new MailDeliveryException($"SMTP {(int)ex.StatusCode}: {ex.Message}", permanent: (int)ex.StatusCode >= 500, ex);
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or System.Net.Sockets.SocketException or MailKit.Security.AuthenticationException or TimeoutException)
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync(false, CancellationToken.None);
            throw new MailDeliveryException($"SMTP {options.Host}:{options.Port}: {ex.Message}", permanent: false, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(true, CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or System.Net.Sockets.SocketException)
            {
                // The messages were accepted already; a rude close changes nothing.
            }
        }
        _client.Dispose();
    }
}

/// <summary>No SMTP server configured: each message becomes a <c>.eml</c> file any mail program opens.</summary>
public sealed class PickupDirectoryTransport(string directory) : IMailTransport
{
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var name = $"{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.eml";
        var temp = Path.Combine(directory, name + ".tmp");
        await message.WriteToAsync(temp, ct);
        File.Move(temp, Path.Combine(directory, name)); // whole files only: a reader never sees half a message
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
