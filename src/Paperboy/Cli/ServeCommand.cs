using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Paperboy.Web;

namespace Paperboy.Cli;

internal static class ServeCommand
{
    private static readonly Option<string> Urls = new("--urls")
    {
        Description = $"Where to listen, e.g. http://0.0.0.0:8080 (default {PaperboyWeb.DefaultUrl})",
    };

    public static Command Create()
    {
        var cmd = new Command("serve", "Run the web site and JSON API")
        {
            // Settings pass through as --Section:Key=value (the configuration's command-line source).
            TreatUnmatchedTokensAsErrors = false,
        };
        cmd.Options.Add(Urls);
        cmd.SetAction(async (parse, ct) =>
        {
            string[] args = [.. parse.UnmatchedTokens];
            if (parse.GetValue(Urls) is { Length: > 0 } urls)
                args = [.. args, "--urls", urls];
            var app = PaperboyWeb.Build(args, parse.GetValue(PaperboyCli.Data));
            await app.RunAsync(ct);
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// serve's help says how settings pass through, instead of the library's "[[--] &lt;additional arguments&gt;...]]"
    /// placeholder for the unmatched tokens it forwards; every other command keeps the library's help.
    /// </summary>
    public static void CustomizeHelp(RootCommand root)
    {
        if (root.Options.OfType<HelpOption>().FirstOrDefault() is not { Action: SynchronousCommandLineAction library } help)
            return;
        help.Action = new ServeHelp(library);
    }

    private sealed class ServeHelp(SynchronousCommandLineAction library) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            if (parseResult.CommandResult.Command.Name != "serve")
                return library.Invoke(parseResult);
            var o = parseResult.InvocationConfiguration.Output;
            o.WriteLine("Description:");
            o.WriteLine("  Run the web site and JSON API.");
            o.WriteLine();
            o.WriteLine("Usage:");
            o.WriteLine("  paperboy serve [options] [--Section:Key=value ...]");
            o.WriteLine();
            o.WriteLine("Options:");
            o.WriteLine($"  --urls <urls>     {Urls.Description}");
            o.WriteLine($"  --data <data>     {PaperboyCli.Data.Description} [default: ./data]");
            o.WriteLine("  -?, -h, --help    Show help and usage information");
            o.WriteLine();
            o.WriteLine("Settings:");
            o.WriteLine("  Any setting as --Section:Key=value, after appsettings.json and PAPERBOY_ variables, e.g.");
            o.WriteLine("  --Arxiv:Schedule:Enabled=false (no calls to arXiv), --Web:PageSize=30. See the README's Configuration.");
            return 0;
        }
    }
}
