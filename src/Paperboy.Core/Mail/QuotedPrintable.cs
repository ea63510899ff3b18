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

    // Shared pieces' encodings, held as long as the piece's string is (a digest run's rendered entries; static text).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, byte[]> SharedPieces = [];

    /// <summary>
    /// A body given in pieces: the same bytes as encoding their concatenation. A shared piece that starts and ends on a
    /// line boundary is encoded once and its bytes reused (encoding starts afresh at every line end, so they are the
    /// same wherever the piece goes); anything else is encoded with its neighbours.
    /// </summary>
    public static byte[] Encode(IReadOnlyList<BodyPiece> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        using var output = new MemoryStream(pieces.Sum(p => p.Text.Length) * 11 / 10 + 256);
        EncodeTo(output, pieces);
        return output.ToArray();
    }

    /// <summary><see cref="Encode(IReadOnlyList{BodyPiece})"/>, written to <paramref name="output"/>.</summary>
    public static void EncodeTo(Stream output, IReadOnlyList<BodyPiece> pieces)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(pieces);
        var pending = new StringBuilder();
        void Flush()
        {
            if (pending.Length > 0)
                EncodeTo(output, pending.ToString());
            pending.Clear();
        }
        foreach (var piece in pieces)
        {
            if (piece.Shared && piece.Text.EndsWith('\n') && (pending.Length == 0 || pending[^1] == '\n'))
            {
                Flush();
                output.Write(SharedPieces.GetValue(piece.Text, Encode));
            }
            else
                pending.Append(piece.Text);
        }
        Flush();
    }

    public static byte[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var output = new MemoryStream(text.Length * 11 / 10 + 64);
        EncodeTo(output, text);
        return output.ToArray();
    }

    /// <summary><see cref="Encode(string)"/>, written to <paramref name="output"/> (working buffers are pooled).</summary>
    public static void EncodeTo(Stream output, string text)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(text);
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var n = Encoding.UTF8.GetBytes(text, rented);
            EncodeTo(output, rented.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void EncodeTo(Stream output, ReadOnlySpan<byte> input)
    {
        // At most 3 bytes per byte, plus a soft break per 73 encoded: never more than this.
        var buffer = ArrayPool<byte>.Shared.Rent(input.Length * 3 + (input.Length * 3 / (MaxLine - 3) + 1) * 3 + 2);
        try
        {
            output.Write(buffer, 0, Encode(input, buffer));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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
