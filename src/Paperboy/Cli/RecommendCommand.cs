using System.CommandLine;
using System.Globalization;
using Paperboy.Core.Recommend;

namespace Paperboy.Cli;

/// <summary><c>paperboy recommend nightly [--now INSTANT]</c>: the nightly For you pass on demand.</summary>
internal static class RecommendCommand
{
    public static Command Create()
    {
        var now = new Option<string>("--now") { Description = "The instant recorded as the lists' time (ISO 8601, e.g. 2026-12-04T03:00:00Z); default: now" };
        var nightly = new Command("nightly", "Rank the week's new papers for every member with signals and store each one's top 50 (one node at a time, by lease; members whose list is current are skipped)") { now };
        nightly.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            var at = DateTimeOffset.UtcNow;
            if (parse.GetValue(now) is { } text && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
                throw new ArgumentException($"--now: '{text}' is not an instant such as 2026-12-04T03:00:00Z");
            await using var host = await CliHost.StartAsync(parse, ct);
            var summary = await host.Get<RecommendNightly>().RunAsync(at, ct);
            if (summary is null)
            {
                Console.WriteLine("another node is running the nightly pass (it holds the lease); nothing done");
                return 0;
            }
            Console.WriteLine($"{summary.Members} member(s) with signals: {summary.Ranked} list(s) made, {summary.UpToDate} still current, in {summary.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        var cmd = new Command("recommend", "For you's recommendations");
        cmd.Subcommands.Add(nightly);
        return cmd;
    }
}
