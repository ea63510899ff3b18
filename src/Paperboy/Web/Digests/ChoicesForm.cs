using Paperboy.Core.Digests;

namespace Paperboy.Web.Digests;

/// <summary>The subscription choices as the forms show them: lists one per line (categories also by commas).</summary>
public sealed class ChoicesForm
{
    public string Frequency { get; set; } = "daily";
    public int Hour { get; set; } = 7;
    public string TimeZone { get; set; } = "UTC";
    public bool Trending { get; set; } = true;
    public int TrendingCount { get; set; } = 10;
    public string? Categories { get; set; }
    public string? Searches { get; set; }
    public string? Authors { get; set; }
    public string? Papers { get; set; }

    private static List<string> Lines(string? text, bool commas = false) =>
        (text ?? "").Split(commas ? ['\n', ','] : ['\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    public SubscriptionRequest ToRequest(string? email) => new(
        email, Frequency, Hour, TimeZone, Trending, TrendingCount, Lines(Categories, commas: true),
        Lines(Searches).Select(q => new SavedSearch(q)).ToList(), Lines(Authors), Lines(Papers));

    public static ChoicesForm From(SubscriptionChoices c) => new()
    {
        Frequency = c.Frequency,
        Hour = c.Hour,
        TimeZone = c.TimeZone,
        Trending = c.Trending,
        TrendingCount = c.TrendingCount,
        Categories = string.Join(", ", c.Categories),
        Searches = string.Join("\n", c.Searches.Select(s => s.Q)),
        Authors = string.Join("\n", c.Authors),
        Papers = string.Join("\n", c.Papers),
    };
}
