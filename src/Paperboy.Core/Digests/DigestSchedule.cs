using System.Globalization;

namespace Paperboy.Core.Digests;

/// <summary>A digest period: its key (unique per subscriber), its label for people, and when it fell due.</summary>
public sealed record DigestPeriod(string Key, string Label, DateTimeOffset DueAt);

/// <summary>
/// When digests are due: daily at the subscriber's hour in their time zone, weekly on Monday at that hour. The
/// current period is the latest one already due at the given instant, so a run at any time after the hour sends
/// that period's digest (once), and a run before it sends nothing new.
/// </summary>
public static class DigestSchedule
{
    /// <summary>The time zone by its IANA (or Windows) id; null when there is no such zone.</summary>
    public static TimeZoneInfo? Zone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    public static DigestPeriod Current(SubscriptionChoices choices, DateTimeOffset now)
    {
        var zone = Zone(choices.TimeZone) ?? TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        if (choices.Frequency == "weekly")
        {
            var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
            var due = DueAt(monday, choices.Hour, zone);
            if (due > now)
            {
                monday = monday.AddDays(-7);
                due = DueAt(monday, choices.Hour, zone);
            }
            var dt = monday.ToDateTime(TimeOnly.MinValue);
            var week = $"{ISOWeek.GetYear(dt)}-W{ISOWeek.GetWeekOfYear(dt):00}";
            return new DigestPeriod("w:" + week, "week " + week, due);
        }
        var day = today;
        var dueDay = DueAt(day, choices.Hour, zone);
        if (dueDay > now)
        {
            day = day.AddDays(-1);
            dueDay = DueAt(day, choices.Hour, zone);
        }
        return new DigestPeriod("d:" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day.ToString("dddd, d MMMM yyyy", CultureInfo.InvariantCulture), dueDay);
    }

    private static DateTimeOffset DueAt(DateOnly day, int hour, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(new TimeOnly(Math.Clamp(hour, 0, 23), 0));
        // An hour skipped by a daylight-saving change moves to the next valid one.
        while (zone.IsInvalidTime(local))
            local = local.AddHours(1);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
