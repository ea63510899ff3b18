using System.Globalization;
using System.Text;
using Paperboy.Core.Papers;

namespace Paperboy.Core.Library.Exports;

/// <summary>A paper to cite, with what the member added (a collection's note, the library's tags).</summary>
public sealed record CitationItem(PaperRecord Paper, string? Note = null, IReadOnlyList<string>? Tags = null);

public enum CitationFormat { BibTex, Ris, CslJson }

/// <summary>The three export formats: their file extensions, content types, and one entry point that writes them.</summary>
public static class Citations
{
    /// <summary>"bib", "ris" or "json" (a URL's extension) to a format.</summary>
    public static bool TryParseFormat(string? extension, out CitationFormat format)
    {
        (var ok, format) = extension?.ToLowerInvariant() switch
        {
            "bib" => (true, CitationFormat.BibTex),
            "ris" => (true, CitationFormat.Ris),
            "json" => (true, CitationFormat.CslJson),
            _ => (false, CitationFormat.BibTex),
        };
        return ok;
    }

    public static string Extension(CitationFormat format) => format switch
    {
        CitationFormat.BibTex => "bib",
        CitationFormat.Ris => "ris",
        _ => "json",
    };

    public static string ContentType(CitationFormat format) => format switch
    {
        CitationFormat.BibTex => "application/x-bibtex; charset=utf-8",
        CitationFormat.Ris => "application/x-research-info-systems; charset=utf-8",
        _ => "application/vnd.citationstyles.csl+json; charset=utf-8",
    };

    public static string Name(CitationFormat format) => format switch
    {
        CitationFormat.BibTex => "BibTeX",
        CitationFormat.Ris => "RIS",
        _ => "CSL-JSON",
    };

    public static string Write(IReadOnlyList<CitationItem> items, CitationFormat format)
    {
        var keys = CitationKeys.Assign(items.Select(i => i.Paper).ToList());
        return format switch
        {
            CitationFormat.BibTex => BibTexWriter.Write(items, keys),
            CitationFormat.Ris => RisWriter.Write(items, keys),
            _ => CslJsonWriter.Write(items, keys),
        };
    }

    /// <summary>The year a paper belongs to: first announced, else the one its new-style or old-style id holds, else v1's.</summary>
    public static int? Year(PaperRecord p)
    {
        if (p.PublishedOn is { } d)
            return d.Year;
        var digits = p.Id.Contains('/', StringComparison.Ordinal) ? p.Id[(p.Id.IndexOf('/', StringComparison.Ordinal) + 1)..] : p.Id;
        if (!ArxivId.IsLocal(p.Id) && digits.Length >= 4 && int.TryParse(digits.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var yy))
            return yy >= 91 ? 1900 + yy : 2000 + yy;
        return p.Versions.Count > 0 ? p.Versions[0].CreatedAt?.Year : null;
    }
}

/// <summary>An author's name taken apart (given, family with its particles, suffix), or kept whole for a group.</summary>
public sealed record PersonName(string? Given, string Family, string? Suffix, bool IsLiteral)
{
    private static readonly HashSet<string> Particles = new(StringComparer.Ordinal)
    {
        "van", "von", "der", "den", "de", "da", "di", "del", "della", "dos", "das", "du", "la", "le", "ten", "ter", "zu", "y", "al", "bin", "ibn",
    };

    private static readonly HashSet<string> Suffixes = new(StringComparer.Ordinal) { "Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV" };

    private static readonly string[] GroupWords = ["Collaboration", "Consortium", "Team", "Group", "Project", "Initiative", "Organization", "Committee"];

    /// <summary>A name as arXiv prints it ("Ada Lovelace", "Johannes van der Waals Jr.", "The ATLAS Collaboration").</summary>
    public static PersonName Parse(string printed)
    {
        var name = TextNormalizer.Collapse(printed);
        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (words.Count == 0 || name.Contains(',', StringComparison.Ordinal) || name.Contains(" and ", StringComparison.OrdinalIgnoreCase)
            || GroupWords.Any(g => words.Contains(g, StringComparer.OrdinalIgnoreCase)))
            return new(null, name, null, true);
        string? suffix = null;
        if (words.Count > 2 && Suffixes.Contains(words[^1]))
        {
            suffix = words[^1];
            words.RemoveAt(words.Count - 1);
        }
        var first = words.Count - 1;
        while (first > 1 && Particles.Contains(words[first - 1]))
            first--;
        var given = first > 0 ? string.Join(' ', words.Take(first)) : null;
        return new(given, string.Join(' ', words.Skip(first)), suffix, false);
    }

    /// <summary>The family name without its particles ("van der Waals": "Waals"), for citation keys.</summary>
    public string KeyName => IsLiteral ? Family.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(w => !string.Equals(w, "The", StringComparison.OrdinalIgnoreCase)) ?? Family
        : Family.Split(' ').Last();

    /// <summary>"Family, Given" (RIS's order); a group's name as it is.</summary>
    public string Inverted => IsLiteral || Given is null ? Family + (Suffix is null ? "" : ", " + Suffix)
        : $"{Family}, {Given}{(Suffix is null ? "" : ", " + Suffix)}";
}

/// <summary>
/// Citation keys like Google Scholar's: first author's family name, year, first word of the title that says
/// something ("lovelace2025analytical"), ASCII letters only. The same paper gets the same key in every export; two
/// papers in one export that would share one get "b", "c", … after the second.
/// </summary>
public static class CitationKeys
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "by", "at", "via", "towards", "toward", "is", "are",
        "do", "does", "can", "how", "what", "why", "when", "which", "we", "our", "its", "into", "beyond", "using", "under", "over",
    };

    public static IReadOnlyList<string> Assign(IReadOnlyList<PaperRecord> papers)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<string>(papers.Count);
        foreach (var p in papers)
        {
            var key = For(p);
            var n = seen.TryGetValue(key, out var count) ? count + 1 : 1;
            seen[key] = n;
            keys.Add(n == 1 ? key : key + Suffix(n));
        }
        return keys;
    }

    // 2 -> "b", 27 -> "ba": letters only, so keys stay plain words.
    private static string Suffix(int n)
    {
        var sb = new StringBuilder();
        for (var i = n - 1; i > 0 || sb.Length == 0; i /= 26)
            sb.Insert(0, (char)('a' + i % 26));
        return sb.ToString();
    }

    public static string For(PaperRecord p)
    {
        var surname = p.Authors.Count > 0 ? Ascii(PersonName.Parse(p.Authors[0]).KeyName) : "";
        var year = Citations.Year(p)?.ToString(CultureInfo.InvariantCulture) ?? "";
        var word = TitleWord(p.Title);
        return (surname.Length > 0 ? surname : "anon") + year + word;
    }

    private static string TitleWord(string title)
    {
        // Math and LaTeX commands say little about a paper's subject; drop them before taking a word.
        var plain = System.Text.RegularExpressions.Regex.Replace(title, @"\$[^$]*\$|\\[A-Za-z]+", " ");
        foreach (var w in plain.Split([' ', '-', ':', ',', '.', ';', '(', ')', '{', '}', '/', '?', '!', '"', '\''], StringSplitOptions.RemoveEmptyEntries))
        {
            var word = Ascii(w);
            if (word.Length > 1 && !StopWords.Contains(word))
                return word;
        }
        return "paper";
    }

    /// <summary>Lower-case ASCII letters only: accents folded ("Gödel" to "godel", "Łukasz" to "lukasz"), the rest dropped.</summary>
    public static string Ascii(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in Collections.FoldToAscii(text))
        {
            var lower = char.ToLowerInvariant(c);
            if (lower is >= 'a' and <= 'z')
                sb.Append(lower);
        }
        return sb.ToString();
    }
}
