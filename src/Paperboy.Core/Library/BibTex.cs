using System.Text;

namespace Paperboy.Core.Library;

/// <summary>
/// One BibTeX entry as written: its type (lower case), key, fields in order (names lower case; values with their
/// outer delimiters gone, strings expanded, <c>#</c> parts joined, runs of white space made one space, inner braces
/// and LaTeX kept) and the line it starts on.
/// </summary>
public sealed record BibEntry(string Type, string Key, IReadOnlyList<KeyValuePair<string, string>> Fields, int Line)
{
    /// <summary>A field's value by name (ignoring case); null when the entry has none.</summary>
    public string? this[string name] =>
        Fields.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } f ? f.Value : null;
}

/// <summary>Something wrong in a file, at a line; <see cref="Skipped"/> when the entry around it was left out.</summary>
public sealed record BibProblem(int Line, string Message, bool Skipped);

public sealed record BibFile(IReadOnlyList<BibEntry> Entries, IReadOnlyList<BibProblem> Problems);

/// <summary>
/// A BibTeX reader, forgiving the way BibTeX is: text outside entries is a comment, <c>@comment</c> and
/// <c>@preamble</c> are passed over, <c>@string</c> defines abbreviations (the twelve months are predefined), values
/// are braced, quoted, numbers or abbreviations joined by <c>#</c>, entries take braces or parentheses. A broken entry
/// is reported with its line and left out; reading goes on at the next line that starts with <c>@</c>, so one
/// missing brace costs one entry, not the rest of the file.
/// </summary>
public static class BibTexParser
{
    private static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static BibFile Parse(string text)
    {
        var reader = new Reader(text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text);
        reader.Run();
        return new BibFile(reader.Entries, reader.Problems);
    }

    private sealed class Reader(string s)
    {
        private readonly List<int> _lineStarts = LineStarts(s);
        private readonly Dictionary<string, string> _strings = new(StringComparer.OrdinalIgnoreCase);
        private int _pos;

        public List<BibEntry> Entries { get; } = [];
        public List<BibProblem> Problems { get; } = [];

        private sealed class SyntaxError(int position, string message) : Exception(message)
        {
            public int Position { get; } = position;
        }

        public void Run()
        {
            for (var i = 0; i < Months.Length; i++)
                _strings[Months[i][..3]] = Months[i];
            while (true)
            {
                var at = s.IndexOf('@', _pos);
                if (at < 0)
                    return;
                _pos = at + 1;
                // "ada@example.org" in the comment text between entries is not an entry.
                if (at > 0 && char.IsLetterOrDigit(s[at - 1]))
                    continue;
                SkipSpace();
                var type = Identifier();
                if (type.Length == 0)
                    continue;
                SkipSpace();
                if (_pos >= s.Length || s[_pos] is not ('{' or '('))
                {
                    if (!type.Equals("comment", StringComparison.OrdinalIgnoreCase))
                        Problems.Add(new(LineAt(at), $"@{type}: expected {{ or ( after the entry type", true));
                    continue;
                }
                try
                {
                    ReadBlock(type.ToLowerInvariant(), at);
                }
                catch (SyntaxError e)
                {
                    Problems.Add(new(LineAt(e.Position), e.Message, true));
                    _pos = NextEntryStart(Math.Max(at + 1, Math.Min(e.Position, s.Length)));
                }
            }
        }

        private void ReadBlock(string type, int at)
        {
            var open = s[_pos];
            var close = open == '{' ? '}' : ')';
            var openAt = _pos;
            _pos++;
            switch (type)
            {
                case "comment":
                    // BibTeX passes over @comment's group whatever it holds; a broken one is still a comment.
                    if (open == '{')
                        _pos = ScanBraces(openAt, strict: false) ?? NextEntryStart(openAt);
                    return;
                case "preamble":
                    ReadValue($"@preamble (line {LineAt(at)})");
                    Expect(close, $"@preamble (line {LineAt(at)}): expected '{close}'");
                    return;
                case "string":
                    SkipSpace();
                    var nameAt = _pos;
                    var name = Identifier();
                    if (name.Length == 0)
                        throw new SyntaxError(nameAt, $"@string (line {LineAt(at)}): expected an abbreviation's name");
                    SkipSpace();
                    Expect('=', $"@string {name}: expected '=' after the name");
                    var value = ReadValue($"@string {name}");
                    SkipSpace();
                    Expect(close, $"@string {name}: expected '{close}' after the value");
                    _strings[name] = value;
                    return;
            }
            SkipSpace();
            var keyAt = _pos;
            while (_pos < s.Length && s[_pos] != ',' && s[_pos] != close && !char.IsWhiteSpace(s[_pos]) && s[_pos] is not ('{' or '}' or '=' or '"'))
                _pos++;
            var key = s[keyAt.._pos];
            SkipSpace();
            if (key.Length == 0 || _pos < s.Length && s[_pos] == '=')
                throw new SyntaxError(keyAt, $"@{type} (line {LineAt(at)}): the entry has no key: write @{type}{{key, ...}}");
            var entry = $"@{type}{{{key}}} (line {LineAt(at)})";
            var fields = new List<KeyValuePair<string, string>>();
            while (true)
            {
                SkipSpaceAndComments();
                if (_pos >= s.Length)
                    throw new SyntaxError(s.Length, $"{entry}: the file ends before the entry's closing '{close}'");
                if (s[_pos] == close)
                {
                    _pos++;
                    break;
                }
                if (s[_pos] == '@' && StartsLine(_pos) && LooksLikeEntry(_pos))
                    throw new SyntaxError(at, $"{entry}: not closed before the entry on line {LineAt(_pos)} (a '{{' too many, or a '{close}' missing)");
                if (s[_pos] != ',')
                    throw new SyntaxError(_pos, $"{entry}: expected ',' or '{close}' but found '{Show(_pos)}'");
                _pos++;
                SkipSpaceAndComments();
                if (_pos < s.Length && s[_pos] == close)
                {
                    _pos++;
                    break; // a comma after the last field is allowed
                }
                var fieldAt = _pos;
                var field = Identifier();
                if (field.Length == 0)
                    throw new SyntaxError(fieldAt, _pos < s.Length && s[_pos] == '@'
                        ? $"{entry}: the entry is not closed before the next one"
                        : $"{entry}: expected a field name but found '{Show(_pos)}'");
                SkipSpace();
                Expect('=', $"{entry}: expected '=' after the field name '{field}'");
                var value = ReadValue($"{entry}, field {field.ToLowerInvariant()}");
                fields.Add(new(field.ToLowerInvariant(), value));
            }
            Entries.Add(new BibEntry(type, key, fields, LineAt(at)));
        }

        /// <summary>A value: parts ({…}, "…", digits, an abbreviation) joined by #.</summary>
        private string ReadValue(string where)
        {
            var sb = new StringBuilder();
            while (true)
            {
                SkipSpace();
                if (_pos >= s.Length)
                    throw new SyntaxError(s.Length, $"{where}: the file ends where a value should be");
                var c = s[_pos];
                if (c == '{')
                {
                    var end = ScanBraces(_pos, strict: true, where)!.Value;
                    sb.Append(s, _pos + 1, end - _pos - 2);
                    _pos = end;
                }
                else if (c == '"')
                {
                    sb.Append(ReadQuoted(where));
                }
                else if (char.IsAsciiDigit(c))
                {
                    var start = _pos;
                    while (_pos < s.Length && char.IsAsciiDigit(s[_pos]))
                        _pos++;
                    sb.Append(s, start, _pos - start);
                }
                else
                {
                    var nameAt = _pos;
                    var name = Identifier();
                    if (name.Length == 0)
                        throw new SyntaxError(_pos, $"{where}: expected a value ({{…}}, \"…\", a number or an @string name) but found '{Show(_pos)}'");
                    if (_strings.TryGetValue(name, out var expansion))
                        sb.Append(expansion);
                    else
                        Problems.Add(new(LineAt(nameAt), $"{where}: '{name}' is not a defined @string; left empty", false));
                }
                SkipSpace();
                if (_pos < s.Length && s[_pos] == '#')
                {
                    _pos++;
                    continue;
                }
                return Papers.TextNormalizer.Collapse(sb.ToString());
            }
        }

        private string ReadQuoted(string where)
        {
            var start = _pos;
            var depth = 0;
            for (var i = _pos + 1; i < s.Length; i++)
            {
                var c = s[i];
                if (c == '\\' && i + 1 < s.Length)
                    i++;
                else if (c == '{')
                    depth++;
                else if (c == '}' && --depth < 0)
                    throw new SyntaxError(start, $"{where}: the quote on line {LineAt(start)} is never closed: a '}}' on line {LineAt(i)} comes first");
                else if (c == '"' && depth == 0)
                {
                    _pos = i + 1;
                    return s[(start + 1)..i];
                }
                else if (c == '@' && depth == 0 && StartsLine(i) && LooksLikeEntry(i))
                    break;
            }
            throw new SyntaxError(start, $"{where}: the quote on line {LineAt(start)} is never closed");
        }

        /// <summary>
        /// The position after the '}' that closes the '{' at <paramref name="open"/>. BibTeX counts every brace, escaped
        /// or not. In strict mode an entry starting a line inside the group means the group was never closed.
        /// </summary>
        private int? ScanBraces(int open, bool strict, string? where = null)
        {
            var depth = 0;
            for (var i = open; i < s.Length; i++)
            {
                var c = s[i];
                if (c == '{')
                    depth++;
                else if (c == '}' && --depth == 0)
                    return i + 1;
                else if (strict && c == '@' && StartsLine(i) && LooksLikeEntry(i))
                    throw new SyntaxError(open, $"{where}: the '{{' on line {LineAt(open)} is not closed before the entry on line {LineAt(i)}");
            }
            if (!strict)
                return null;
            throw new SyntaxError(open, $"{where}: the '{{' on line {LineAt(open)} is never closed");
        }

        private bool StartsLine(int i)
        {
            for (var j = i - 1; j >= 0 && s[j] != '\n'; j--)
            {
                if (!char.IsWhiteSpace(s[j]))
                    return false;
            }
            return true;
        }

        /// <summary>"@name{" or "@name(": what a new entry looks like.</summary>
        private bool LooksLikeEntry(int at)
        {
            var i = at + 1;
            var start = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
                i++;
            if (i == start)
                return false;
            while (i < s.Length && s[i] is ' ' or '\t')
                i++;
            return i < s.Length && s[i] is '{' or '(';
        }

        /// <summary>Where reading goes on after a broken entry: the next '@' that starts a line.</summary>
        private int NextEntryStart(int from)
        {
            for (var i = s.IndexOf('@', from); i >= 0; i = s.IndexOf('@', i + 1))
            {
                if (StartsLine(i))
                    return i;
            }
            return s.Length;
        }

        private string Identifier()
        {
            var start = _pos;
            while (_pos < s.Length && IsNameChar(s[_pos]))
                _pos++;
            return s[start.._pos];
        }

        // BibTeX's rule: anything printable but white space and "#%'(),={}; names do not start with a digit.
        private static bool IsNameChar(char c) => !char.IsWhiteSpace(c) && !char.IsControl(c) && c is not ('"' or '#' or '%' or '\'' or '(' or ')' or ',' or '=' or '{' or '}' or '@');

        private void SkipSpace()
        {
            while (_pos < s.Length && char.IsWhiteSpace(s[_pos]))
                _pos++;
        }

        /// <summary>White space, and % comments between fields (BibTeX does not know them, but biber and many files do).</summary>
        private void SkipSpaceAndComments()
        {
            SkipSpace();
            while (_pos < s.Length && s[_pos] == '%')
            {
                var eol = s.IndexOf('\n', _pos);
                _pos = eol < 0 ? s.Length : eol + 1;
                SkipSpace();
            }
        }

        private void Expect(char c, string message)
        {
            SkipSpace();
            if (_pos >= s.Length || s[_pos] != c)
                throw new SyntaxError(Math.Min(_pos, s.Length), message + (_pos < s.Length ? $" but found '{Show(_pos)}'" : " but the file ends"));
            _pos++;
        }

        private string Show(int i)
        {
            if (i >= s.Length)
                return "the end of the file";
            var end = i;
            while (end < s.Length && end - i < 20 && s[end] is not ('\n' or '\r'))
                end++;
            return end == i ? "a line break" : s[i..end];
        }

        public int LineAt(int position)
        {
            var i = _lineStarts.BinarySearch(position);
            return (i >= 0 ? i : ~i - 1) + 1;
        }

        private static List<int> LineStarts(string text)
        {
            var starts = new List<int> { 0 };
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '\n')
                    starts.Add(i + 1);
            }
            return starts;
        }
    }
}
