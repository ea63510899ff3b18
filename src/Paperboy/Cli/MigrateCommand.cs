using System.CommandLine;

namespace Paperboy.Cli;

internal static class MigrateCommand
{
    public static Command Create()
    {
        var cmd = new Command("migrate", "Apply database migrations (serve and every verb also do this at start-up)");
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            var config = Hosting.PaperboyConfiguration.Build(parse.GetValue(PaperboyCli.Data));
            await using var store = Hosting.PaperboyConfiguration.CreateStore(Hosting.PaperboyConfiguration.ReadStorage(config));
            var ran = await store.MigrateAsync(ct);
            Console.WriteLine(ran == 0 ? $"{store.Provider}: the schema is up to date" : $"{store.Provider}: applied {ran} migration(s)");
            return 0;
        }));
        return cmd;
    }
}
