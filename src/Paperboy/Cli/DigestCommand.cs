using System.CommandLine;
using System.Globalization;
using Paperboy.Core.Digests;
using Paperboy.Core.Mail;
using Paperboy.Web;

namespace Paperboy.Cli;

/// <summary><c>paperboy digest run [--dry-run] [--to EMAIL] [--now INSTANT]</c>: the digest job on demand.</summary>
internal static class DigestCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Compose and list each digest; record and send nothing" };
        var to = new Option<string>("--to") { Description = "Only this subscriber's digest" };
        var now = new Option<string>("--now") { Description = "Run the period that contains this instant (ISO 8601, e.g. 2026-12-04T08:00:00Z); default: now" };
        var run = new Command("run", "Compose the digests that have come due and queue them in the outbox (one node at a time, by lease); then send what is due") { dryRun, to, now };
        run.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            var at = DateTimeOffset.UtcNow;
            if (parse.GetValue(now) is { } text && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
                throw new ArgumentException($"--now: '{text}' is not an instant such as 2026-12-04T08:00:00Z");
            await using var host = await CliHost.StartAsync(parse, ct);
            var dry = parse.GetValue(dryRun);
            var job = host.Get<DigestJob>().RunAsync(at, host.Get<SiteUrl>().Base(null), dry, parse.GetValue(to), ct);
            // Sends as the run queues (and what an earlier run queued and did not get to send: it was stopped, or killed).
            var sent = dry ? 0 : await host.Get<OutboxSender>().SendAlongsideAsync(job, ct);
            var summary = await job;
            if (summary is null)
            {
                Console.WriteLine("another node is running the digest job (it holds the lease); nothing composed" + (sent > 0 ? $"; sent {sent} message(s) already due" : ""));
                return 0;
            }
            foreach (var line in summary.Lines)
                Console.WriteLine(line);
            Console.WriteLine($"{summary.Considered} subscription(s): {summary.Queued} digest(s) queued, {summary.Empty} empty (not sent), {summary.AlreadyDone} done already for this period");
            if (!dry)
                Console.WriteLine($"sent {sent} message(s)");
            return 0;
        }));
        var cmd = new Command("digest", "Email digests for subscribers");
        cmd.Subcommands.Add(run);
        return cmd;
    }
}
