namespace Paperboy.Core.Recommend;

/// <summary>The "because" line of a recommendation, as feeds and digests write it (the page links the same parts).</summary>
public static class ForYouReasons
{
    /// <summary>"Near your “A”; “B” · shared terms: x, y"; empty when the item has no reason to show.</summary>
    public static string Line(ForYouItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var parts = new List<string>(2);
        if (item.Because.Count > 0)
            parts.Add("Near your " + string.Join("; ", item.Because.Select(b => $"“{b.Paper.Title}”")));
        if (item.SharedTerms.Count > 0)
            parts.Add("shared terms: " + string.Join(", ", item.SharedTerms));
        return string.Join(" · ", parts);
    }
}
