using System.Buffers;
using System.Text;

namespace Paperboy.Core.Mail;

/// <summary>
/// Quoted-printable (RFC 2045 section 6.7) for a message body, in one pass over its UTF-8 bytes: line ends become CRLF,
/// encoded lines stay within 76 characters (soft breaks), '=', control and non-ASCII bytes and whitespace before a
/// line end are written as =XX. MimeKit's own encoder goes through a chain of stream filters and a separate pass to
/// choose the encoding; a digest run makes tens of thousands of bodies, and this is several times cheaper.
/// </summary>
public static class QuotedPrintable
{
    private const int MaxLine = 76; // the soft break's '=' included
    private static readonly byte[] Hex = "0123456789ABCDEF"u8.ToArray();

    // What stands for itself: printable ASCII except '=', and space and tab (unless a line end follows: see below).
    private static readonly SearchValues<byte> Plain = SearchValues.Create([(byte)' ', (byte)'\t', .. Enumerable.Range(33, 94).Where(b => b != '=').Select(b => (byte)b)]);

    public static byte[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var n = Encoding.UTF8.GetBytes(text, rented);
            return Encode(rented.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static byte[] Encode(ReadOnlySpan<byte> input)
    {
        // At most 3 bytes per byte, plus a soft break per 73 encoded: never more than this.
        var output = ArrayPool<byte>.Shared.Rent(input.Length * 3 + (input.Length * 3 / (MaxLine - 3) + 1) * 3 + 2);
        try
        {
            return output.AsSpan(0, Encode(input, output)).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    private static int Encode(ReadOnlySpan<byte> input, byte[] output)
    {
        var o = 0;
        var column = 0;
        var i = 0;
        while (i < input.Length)
        {
            // A run of bytes that stand for themselves, copied a line's room at a time.
            var run = input[i..].IndexOfAnyExcept(Plain);
            if (run < 0)
                run = input.Length - i;
            // Whitespace that ends a line is left to the slow path, which encodes it (it may be stripped in transit).
            if (run > 0 && input[i + run - 1] is (byte)' ' or (byte)'\t' && (i + run == input.Length || input[i + run] is (byte)'\r' or (byte)'\n'))
                run--;
            while (run > 0)
            {
                var room = MaxLine - 1 - column;
                if (room <= 0)
                {
                    SoftBreak(output, ref o);
                    column = 0;
                    continue;
                }
                var take = Math.Min(room, run);
                input.Slice(i, take).CopyTo(output.AsSpan(o));
                o += take;
                i += take;
                column += take;
                run -= take;
            }
            if (i >= input.Length)
                break;
            var b = input[i];
            if (b == '\n' || (b == '\r' && i + 1 < input.Length && input[i + 1] == '\n'))
            {
                output[o++] = (byte)'\r';
                output[o++] = (byte)'\n';
                column = 0;
                i += b == '\r' ? 2 : 1;
                continue;
            }
            // Space and tab stand for themselves unless they end a line (trailing whitespace may be stripped in transit).
            var next = i + 1 < input.Length ? input[i + 1] : (byte)'\n';
            var literal = (b == ' ' || b == '\t') && next != '\n' && next != '\r';
            var width = literal ? 1 : 3;
            if (column + width > MaxLine - 1)
            {
                SoftBreak(output, ref o);
                column = 0;
            }
            if (literal)
                output[o++] = b;
            else
            {
                output[o++] = (byte)'=';
                output[o++] = Hex[b >> 4];
                output[o++] = Hex[b & 0xF];
            }
            column += width;
            i++;
        }
        return o;
    }

    private static void SoftBreak(byte[] output, ref int o)
    {
        output[o++] = (byte)'=';
        output[o++] = (byte)'\r';
        output[o++] = (byte)'\n';
    }
}
