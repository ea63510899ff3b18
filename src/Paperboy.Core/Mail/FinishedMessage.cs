using MimeKit;

namespace Paperboy.Core.Mail;

/// <summary>
/// A finished message (<see cref="OutboxMessage.Mime"/>) as MailKit takes it, without parsing its bodies: only the
/// header block is read (MailKit wants the sender and recipients, and a transport may log the Message-ID); the rest
/// is written back byte for byte. Parsing 30 KB of multipart into a tree only for MailKit to write the tree out again
/// cost the sender about as much as the socket did.
/// </summary>
public static class FinishedMessage
{
    private static ReadOnlySpan<byte> EndOfHeaders => "\r\n\r\n"u8;

    /// <summary>The message over <paramref name="mime"/> (not copied): its headers parsed, its bodies kept as bytes.</summary>
    public static MimeMessage Open(byte[] mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        var end = mime.AsSpan().IndexOf(EndOfHeaders);
        if (end < 0)
            throw new FormatException("A finished message has no blank line after its headers.");
        end += EndOfHeaders.Length;
        // MimeMessage writes its headers, then (ours has none) the body's, then the blank line, then the body's content:
        // with every header on the message and the content starting after the blank line, that is the original bytes.
        var headers = HeaderList.Load(new MemoryStream(mime, 0, end, writable: false));
        return new MimeMessage((IEnumerable<Header>)headers) { Body = new StoredContent(mime.AsMemory(end)) };
    }

    /// <summary>An entity with no headers of its own whose content is bytes already encoded for the wire.</summary>
    private sealed class StoredContent : MimeEntity
    {
        private readonly ReadOnlyMemory<byte> _content;

        public StoredContent(ReadOnlyMemory<byte> content)
            : base(new ContentType("application", "octet-stream"))
        {
            _content = content;
            Headers.Clear(); // the message holds them all, in their original order
        }

        // 7-bit already, lines under 998 octets: nothing to re-encode for any server.
        public override void Prepare(EncodingConstraint constraint, int maxLineLength = 78)
        {
        }

        public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(stream);
            stream.Write(_content.Span);
        }

        public override Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(stream);
            return stream.WriteAsync(_content, cancellationToken).AsTask();
        }
    }
}
