using System.CommandLine;

namespace Paperboy.Cli;

internal static class MigrateCommand
{
    public static Command Create()
    {
        var cmd = new Command("migrate", "Apply database migrations (serve and every verb also do this at start-up)");
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            await using var host = await CliHost.StartAsync(parse, ct, migrate: false);
            var store = host.Get<Core.Papers.IPaperStore>();
            var ran = await store.MigrateAsync(ct);
            Console.WriteLine(ran == 0 ? $"{store.Provider}: the schema is up to date" : $"{store.Provider}: applied {ran} migration(s)");
            return 0;
        }));
        return cmd;
    }
}
