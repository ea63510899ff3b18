using System.CommandLine;
using Paperboy.Core.Mail;

namespace Paperboy.Cli;

/// <summary><c>paperboy mail send|status</c>: the outbox from the command line (what <c>serve</c> does in the background).</summary>
internal static class MailCommand
{
    public static Command Create()
    {
        var cmd = new Command("mail", "The mail outbox: send what is due, or say what is waiting");
        var send = new Command("send", "Send the messages that are due now (as serve does in the background), then exit");
        send.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            await using var host = await CliHost.StartAsync(parse, ct);
            var sent = await host.Get<OutboxSender>().SendDueAsync(ct);
            Console.WriteLine($"sent {sent} message(s)");
            return await PrintStatusAsync(host.Get<IOutboxStore>(), ct);
        }));
        var status = new Command("status", "Messages waiting, sent and failed, and the last error");
        status.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            await using var host = await CliHost.StartAsync(parse, ct);
            return await PrintStatusAsync(host.Get<IOutboxStore>(), ct);
        }));
        cmd.Subcommands.Add(send);
        cmd.Subcommands.Add(status);
        return cmd;
    }

    private static async Task<int> PrintStatusAsync(IOutboxStore outbox, CancellationToken ct)
    {
        var s = await outbox.GetStatsAsync(ct);
        Console.WriteLine($"waiting {s.Pending}, sent {s.Sent}, failed {s.Failed}" + (s.OldestPending is { } oldest ? $"; oldest waiting since {oldest:yyyy-MM-dd HH:mm} UTC" : ""));
        if (s.LastError is not null)
            Console.WriteLine("last error: " + s.LastError);
        return 0;
    }
}
