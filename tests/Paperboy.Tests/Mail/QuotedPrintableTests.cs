using System.Text;
using MimeKit.Encodings;
using Paperboy.Core.Mail;

namespace Paperboy.Tests.Mail;

/// <summary>Paperboy's one-pass quoted-printable encoder, decoded by MimeKit's decoder and checked against RFC 2045's rules.</summary>
public sealed class QuotedPrintableTests
{
    public static TheoryData<string> Texts() => new()
    {
        "",
        "plain ascii",
        "a = b; width=\"100%\"",
        "trailing space \nand tab\t\r\nand at the end ",
        "two trailing  \n\nblank lines above",
        "lone\rcarriage return",
        "non-ASCII: Schrödinger · Erdős – 量子 … 🚀",
        new string('x', 75) + "\n" + new string('y', 76) + "\n" + new string('z', 300),
        new string('=', 100) + " " + string.Concat(Enumerable.Repeat("é ", 60)),
        ".a line that starts with a dot\nFrom the start of a line",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Decodes_to_the_text_with_CRLF_line_ends_in_7_bit_lines_of_at_most_76(string text) => Check(text);

    [Fact]
    public void Random_texts_round_trip()
    {
        var random = new Random(11);
        const string Alphabet = "abc XYZ=\t\r\n.-é·…量🚀";
        for (var n = 0; n < 500; n++)
        {
            var sb = new StringBuilder();
            var length = random.Next(0, 400);
            while (sb.Length < length)
            {
                var i = random.Next(Alphabet.Length);
                sb.Append(char.IsHighSurrogate(Alphabet[i]) ? Alphabet.Substring(i, 2) : char.IsLowSurrogate(Alphabet[i]) ? "q" : Alphabet[i].ToString());
            }
            Check(sb.ToString());
        }
    }

    private static void Check(string text)
    {
        var encoded = QuotedPrintable.Encode(text);
        Assert.All(encoded, b => Assert.True(b < 128, $"byte {b} is not 7-bit"));
        var lines = Encoding.ASCII.GetString(encoded).Split("\r\n");
        Assert.All(lines, line =>
        {
            Assert.True(line.Length <= 76, $"a line of {line.Length}: {line}");
            Assert.DoesNotContain('\r', line);
            Assert.DoesNotContain('\n', line);
            Assert.False(line.EndsWith(' ') || line.EndsWith('\t'), $"whitespace ends the line: [{line}]");
        });
        var decoder = new QuotedPrintableDecoder();
        var output = new byte[decoder.EstimateOutputLength(encoded.Length)];
        var n = decoder.Decode(encoded, 0, encoded.Length, output);
        var expected = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.UTF8.GetString(output, 0, n));
    }
}
