using System.CommandLine;

namespace Paperboy.Cli;

/// <summary>The table of verbs. Every verb is the same code a background job would run.</summary>
public static class PaperboyCli
{
    /// <summary>Global: the folder that holds the SQLite file and every derived index.</summary>
    public static readonly Option<string> Data = new("--data")
    {
        Description = "Folder for the SQLite database and derived indexes",
        DefaultValueFactory = _ => "./data",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Paperboy: research-paper discovery, self-hosted.");
        root.Options.Add(Data);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(IngestCommand.Create());
        root.Subcommands.Add(AddCommand.Create());
        root.Subcommands.Add(IndexCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(UsersCommand.Create());
        root.Subcommands.Add(MailCommand.Create());
        root.Subcommands.Add(RecommendCommand.Create());
        root.Subcommands.Add(DigestCommand.Create());
        root.Subcommands.Add(BackupCommand.CreateBackup());
        root.Subcommands.Add(BackupCommand.CreateRestore());
        ServeCommand.CustomizeHelp(root);
        return root;
    }
}
