using System.Globalization;

namespace Paperboy.Storage.Sqlite;

/// <summary>SQLite keeps instants as ISO 8601 text (round-trip "O" format), which sorts in time order.</summary>
internal static class SqliteTime
{
    public static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}
