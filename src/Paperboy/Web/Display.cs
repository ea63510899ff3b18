using System.Globalization;
using Paperboy.Core.Papers;

namespace Paperboy.Web;

/// <summary>Small text helpers for the pages. Razor escapes whatever these return.</summary>
public static class Display
{
    /// <summary>"A, B, C, D, … and 38 more" for long author lists; the full list is on the paper page.</summary>
    public static string Authors(IReadOnlyList<string> authors, int max = 5)
    {
        if (authors.Count == 0)
            return "Unknown authors";
        if (authors.Count <= max)
            return string.Join(", ", authors);
        return string.Join(", ", authors.Take(max - 1)) + $", … {authors[^1]} (+{authors.Count - max + 1:N0} more)";
    }

    /// <summary>The start of an abstract, cut at a word boundary.</summary>
    public static string Snippet(string text, int max = 300)
    {
        if (text.Length <= max)
            return text;
        var cut = text.LastIndexOf(' ', max);
        return text[..(cut > max / 2 ? cut : max)].TrimEnd(',', ';', ':', '.') + " …";
    }

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string LongDay(DateOnly d) => d.ToString("dddd, d MMMM yyyy", CultureInfo.InvariantCulture);

    public static string Count(int n, string one, string many) => $"{n.ToString("N0", CultureInfo.InvariantCulture)} {(n == 1 ? one : many)}";

    public static string PaperUrl(string id) => "/papers/" + id;

    public static string PeriodUrl(ListingPeriod p) => p.Kind switch
    {
        "day" => "/papers/date/" + p.Label,
        "week" => "/papers/week/" + p.Label,
        _ => "/papers/month/" + p.Label,
    };

    public static string WeekLabel(DateOnly d) => ListingPeriod.Week(ISOWeek.GetYear(d.ToDateTime(TimeOnly.MinValue)), ISOWeek.GetWeekOfYear(d.ToDateTime(TimeOnly.MinValue))).Label;

    /// <summary>"45 seconds", "3 minutes", "2 hours".</summary>
    public static string Duration(TimeSpan t) =>
        t.TotalSeconds < 90 ? Count((int)Math.Ceiling(t.TotalSeconds), "second", "seconds")
        : t.TotalMinutes < 90 ? Count((int)Math.Ceiling(t.TotalMinutes), "minute", "minutes")
        : Count((int)Math.Ceiling(t.TotalHours), "hour", "hours");

    /// <summary>"just now", "5 minutes ago", "3 hours ago", "2 days ago", or the date.</summary>
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var t = now - at;
        return t.TotalMinutes < 1 ? "just now"
            : t.TotalHours < 1 ? Count((int)t.TotalMinutes, "minute", "minutes") + " ago"
            : t.TotalDays < 1 ? Count((int)t.TotalHours, "hour", "hours") + " ago"
            : t.TotalDays < 30 ? Count((int)t.TotalDays, "day", "days") + " ago"
            : at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}
