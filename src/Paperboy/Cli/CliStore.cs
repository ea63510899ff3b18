using System.CommandLine;
using Paperboy.Core.Papers;
using Paperboy.Hosting;
using Spectre.Console;

namespace Paperboy.Cli;

/// <summary>Opens the configured store for a verb, migrated, and turns configuration errors into one clear line.</summary>
internal static class CliStore
{
    public static async Task<IPaperStore> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        var config = PaperboyConfiguration.Build(parse.GetValue(PaperboyCli.Data));
        var store = PaperboyConfiguration.CreateStore(PaperboyConfiguration.ReadStorage(config));
        await store.MigrateAsync(ct);
        return store;
    }

    /// <summary>Runs a verb body; known failures print one line on stderr and give exit code 1.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception ex) when (ex is Core.Ingest.Arxiv.ArxivUnavailableException or Core.Ingest.Arxiv.ArxivFormatException or Core.Ingest.Arxiv.OaiPmhException or Core.Ingest.Arxiv.ArxivQueryException or Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException or IOException or UnauthorizedAccessException or System.Data.Common.DbException or ArgumentException)
        {
            var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            err.MarkupLine("[red]error:[/] " + Markup.Escape(ex.Message));
            return 1;
        }
    }
}
