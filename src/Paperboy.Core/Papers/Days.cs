using System.Globalization;

namespace Paperboy.Core.Papers;

/// <summary>Calendar days as Paperboy reads and writes them everywhere: yyyy-MM-dd, whatever the culture.</summary>
public static class Days
{
    public const string Format = "yyyy-MM-dd";

    /// <summary>A real day in yyyy-MM-dd (not 2025-02-30, not 2025-3-1).</summary>
    public static bool TryParse(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    /// <summary>Empty or missing is no day (true, null); anything else must be a day.</summary>
    public static bool TryParseOptional(string? text, out DateOnly? day)
    {
        day = null;
        if (string.IsNullOrEmpty(text))
            return true;
        if (!TryParse(text, out var d))
            return false;
        day = d;
        return true;
    }
}
