using Spectre.Console;

namespace Paperboy.Cli;

/// <summary>Turns the failures a verb can expect (configuration, I/O, arXiv, database) into one clear line.</summary>
internal static class CliStore
{
    /// <summary>Runs a verb body; known failures print one line on stderr and give exit code 1.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception ex) when (ex is Core.Ingest.Arxiv.ArxivUnavailableException or Core.Ingest.Arxiv.ArxivFormatException or Core.Ingest.Arxiv.OaiPmhException or Core.Ingest.Arxiv.ArxivQueryException or Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException or IOException or UnauthorizedAccessException or System.Data.Common.DbException or ArgumentException or Core.Accounts.DuplicateUserException)
        {
            var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            err.MarkupLine("[red]error:[/] " + Markup.Escape(ex.Message));
            return 1;
        }
    }
}
