using System.Text;

namespace Paperboy.Core.Papers;

public static class TextNormalizer
{
    /// <summary>
    /// arXiv hard-wraps abstracts and titles: collapse every run of whitespace to one space and trim.
    /// Control characters are dropped. LaTeX is left exactly as written.
    /// </summary>
    public static string Collapse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return string.Empty;
        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            // NUL and other control characters are never text; PostgreSQL refuses NUL outright.
            if (char.IsControl(c))
                continue;
            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    public static string? CollapseOrNull(string? text)
    {
        var s = Collapse(text);
        return s.Length == 0 ? null : s;
    }

    /// <summary>User input quoted back in an error message, cut so a huge value cannot flood the message.</summary>
    public static string Clip(string s, int max = 40) => s.Length <= max ? s : s[..max] + "…";
}
