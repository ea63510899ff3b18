using System.CommandLine;
using Paperboy.Web;

namespace Paperboy.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var cmd = new Command("serve", "Run the web site and JSON API (default http://127.0.0.1:5000; ASP.NET options such as --urls pass through)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var app = PaperboyWeb.Build([.. parse.UnmatchedTokens], parse.GetValue(PaperboyCli.Data));
            await app.RunAsync(ct);
            return 0;
        });
        return cmd;
    }
}
