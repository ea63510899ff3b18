using Lucene.Net.Analysis;

namespace Paperboy.Core.Search.FullText;

/// <summary>Marks query words in text, choosing the best window of a long text.</summary>
internal static class FullTextHighlighter
{
    private const string Ellipsis = "…";

    public static IReadOnlyList<HighlightSegment> Highlight(string? text, HashSet<string> words, Analyzer analyzer, int maxLength)
    {
        if (string.IsNullOrEmpty(text))
            return [];
        var matches = words.Count == 0
            ? []
            : Analysis.Tokens(analyzer, FullTextFields.Abstract, text)
                .Where(t => words.Contains(t.Term) && t.Start >= 0 && t.End <= text.Length && t.Start < t.End)
                .ToList();

        if (maxLength <= 0 || text.Length <= maxLength)
            return Segments(text, 0, text.Length, matches, false, false);

        // Room for the ellipses, at least one character of text.
        var room = Math.Max(1, maxLength - 2);
        var (start, end) = BestWindow(text, matches, room);
        return Segments(text, start, end, matches, start > 0, end < text.Length);
    }

    private static (int Start, int End) BestWindow(string text, List<AnalyzedToken> matches, int room)
    {
        var bestStart = 0;
        var bestScore = Score(matches, 0, room);
        foreach (var match in matches)
        {
            // Start a little before the match: at the sentence start when near, else a few words back.
            var start = SentenceStart(text, match.Start, room / 3) ?? WordStart(text, Math.Max(0, match.Start - (room / 8)));
            var score = Score(matches, start, start + room);
            if (score > bestScore)
            {
                bestScore = score;
                bestStart = start;
            }
        }
        var end = Math.Min(text.Length, bestStart + room);
        if (end < text.Length)
        {
            // End at a word boundary, unless that loses too much (text without spaces).
            var space = text.LastIndexOfAny([' ', '\n', '\t', '\r'], end - 1, end - bestStart);
            if (space > bestStart + (room / 2))
                end = space;
            end = SafeCut(text, end);
        }
        // Skip whitespace at the edges.
        while (bestStart < end && char.IsWhiteSpace(text[bestStart]))
            bestStart++;
        while (end > bestStart && char.IsWhiteSpace(text[end - 1]))
            end--;
        return (bestStart, end);
    }

    /// <summary>Distinct words count most, then occurrences.</summary>
    private static int Score(List<AnalyzedToken> matches, int start, int end)
    {
        var inside = matches.Where(m => m.Start >= start && m.End <= end).ToList();
        return (inside.Select(m => m.Term).Distinct(StringComparer.Ordinal).Count() * 1000) + inside.Count;
    }

    private static int? SentenceStart(string text, int at, int within)
    {
        for (var i = at - 1; i >= Math.Max(0, at - within); i--)
        {
            if (i == 0)
                return 0;
            if (char.IsWhiteSpace(text[i]) && i > 0 && text[i - 1] is '.' or '!' or '?')
                return i + 1;
        }
        return null;
    }

    private static int WordStart(string text, int at)
    {
        if (at <= 0)
            return 0;
        var space = text.LastIndexOfAny([' ', '\n', '\t', '\r'], at);
        return space < 0 || at - space > 40 ? SafeCut(text, at) : space + 1;
    }

    /// <summary>Never cut between the two halves of a surrogate pair.</summary>
    private static int SafeCut(string text, int at) =>
        at > 0 && at < text.Length && char.IsLowSurrogate(text[at]) && char.IsHighSurrogate(text[at - 1]) ? at - 1 : at;

    private static List<HighlightSegment> Segments(string text, int start, int end, List<AnalyzedToken> matches, bool cutBefore, bool cutAfter)
    {
        var segments = new List<HighlightSegment>();
        if (cutBefore)
            segments.Add(new HighlightSegment(Ellipsis, false));
        var at = start;
        foreach (var m in matches.OrderBy(m => m.Start))
        {
            var s = Math.Max(m.Start, at);
            var e = Math.Min(m.End, end);
            if (s >= e)
                continue;
            if (s > at)
                segments.Add(new HighlightSegment(text[at..s], false));
            segments.Add(new HighlightSegment(text[s..e], true));
            at = e;
        }
        if (at < end)
            segments.Add(new HighlightSegment(text[at..end], false));
        if (cutAfter)
            segments.Add(new HighlightSegment(Ellipsis, false));
        return segments;
    }
}
