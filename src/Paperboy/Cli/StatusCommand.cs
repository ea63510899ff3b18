using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Paperboy.Cli;

internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print as JSON" };
        var cmd = new Command("status", "Counts of papers and listing days, the newest day, the database provider and size") { json };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            await using var store = await CliStore.OpenAsync(parse, ct);
            var s = await store.GetStatusAsync(ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    provider = s.Provider,
                    papers = s.Papers,
                    listingDays = s.ListingDays,
                    newestListingDay = s.NewestListingDay,
                    oldestListingDay = s.OldestListingDay,
                    sizeBytes = s.SizeBytes,
                    location = s.Location,
                }, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var table = new Table().HideHeaders().AddColumn("").AddColumn("");
            table.AddRow("Papers", s.Papers.ToString("N0"));
            table.AddRow("Listing days", s.ListingDays.ToString("N0"));
            table.AddRow("Newest listing day", s.NewestListingDay?.ToString("yyyy-MM-dd") ?? "none yet");
            table.AddRow("Oldest listing day", s.OldestListingDay?.ToString("yyyy-MM-dd") ?? "none yet");
            table.AddRow("Database", $"{s.Provider} ({Markup.Escape(s.Location)})");
            table.AddRow("Size", s.SizeBytes is { } b ? $"{b / 1048576.0:N1} MiB" : "unknown");
            AnsiConsole.Write(table);
            return 0;
        }));
        return cmd;
    }
}
