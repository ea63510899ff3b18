using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Paperboy.Core.Papers;

/// <summary>
/// Paper identifiers: arXiv ids in canonical form (no version; new style <c>2503.11731</c>,
/// old style <c>hep-th/9901001</c>) and local ids (<c>local-…</c>) for papers that have no arXiv id.
/// </summary>
public static partial class ArxivId
{
    public const string LocalPrefix = "local-";

    [GeneratedRegex(@"^(?<id>\d{4}\.\d{4,5})(?:v(?<v>\d{1,4}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex NewStyle();

    // Old-style archives are lower case with an optional upper-case subject class (math.AG/0101001).
    [GeneratedRegex(@"^(?<id>[a-z][a-z\-]{1,15}(?:\.[A-Z]{2})?/\d{7})(?:v(?<v>\d{1,4}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex OldStyle();

    [GeneratedRegex(@"^local-[0-9a-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex Local();

    /// <summary>Parses an arXiv id as people paste it: bare, with a version, with an <c>arXiv:</c> prefix or as an abs/pdf URL.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out string? id, out int? version)
    {
        id = null;
        version = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 200)
            return false;
        var s = text.Trim();
        foreach (var prefix in new[] { "https://arxiv.org/abs/", "http://arxiv.org/abs/", "https://arxiv.org/pdf/", "http://arxiv.org/pdf/", "arxiv.org/abs/", "arXiv:", "arxiv:" })
        {
            if (s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                s = s[prefix.Length..];
                break;
            }
        }
        if (s.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase))
            s = s[..^4];
        var m = NewStyle().Match(s);
        if (!m.Success)
            m = OldStyle().Match(s);
        if (!m.Success)
            return false;
        id = m.Groups["id"].Value;
        if (m.Groups["v"].Success)
            version = int.Parse(m.Groups["v"].Value, System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>True for a canonical arXiv id or a local id: the ids a paper page may have.</summary>
    public static bool IsPaperId(string? text) =>
        text is not null && (Local().IsMatch(text) || (TryParse(text, out var id, out var v) && id == text && v is null));

    public static bool IsLocal(string id) => id.StartsWith(LocalPrefix, StringComparison.Ordinal);

    /// <summary>A stable id for a paper known only by its title: the same title always gets the same id.</summary>
    public static string LocalFor(string title)
    {
        var key = TextNormalizer.Collapse(title).ToLowerInvariant();
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));
        return LocalPrefix + Convert.ToHexStringLower(hash)[..12];
    }

    public static string? AbsUrl(string id) => IsLocal(id) ? null : "https://arxiv.org/abs/" + id;

    public static string? PdfUrl(string id) => IsLocal(id) ? null : "https://arxiv.org/pdf/" + id;
}
