using System.CommandLine;
using Paperboy.Core.Ingest.Arxiv;

namespace Paperboy.Cli;

/// <summary><c>paperboy add ID...</c>: the same submission the web form and <c>POST /api/papers/index</c> make.</summary>
internal static class AddCommand
{
    public static Command Create()
    {
        var ids = new Argument<string[]>("arxiv-id") { Description = "arXiv ids: 2503.11731, hep-th/9901001, arXiv:2503.11731v2, or abs URLs", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("add", "Fetch papers by arXiv id and store them (no listing day: days list what arXiv announced)") { ids };
        cmd.SetAction((parse, ct) => CliStore.RunAsync(async () =>
        {
            await using var host = await CliHost.StartAsync(parse, ct);
            var results = await host.Get<PaperSubmitter>().SubmitAsync(parse.GetValue(ids)!, ct);
            var failed = 0;
            foreach (var r in results)
            {
                if (r.Outcome is SubmitOutcome.Unknown or SubmitOutcome.Invalid)
                {
                    failed++;
                    Console.Error.WriteLine(r.Message);
                }
                else
                {
                    Console.WriteLine(r.Message);
                }
            }
            return failed > 0 ? ImportCommand.SomeRejected : 0;
        }));
        return cmd;
    }
}
