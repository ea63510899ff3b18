using System.CommandLine;
using Microsoft.Extensions.Options;
using Paperboy.Core.Ingest;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Core.Papers;
using Paperboy.Hosting;
using Paperboy.Web.Digests;
using Paperboy.Web.ForYou;
using Spectre.Console;

namespace Paperboy.Cli;

/// <summary>The same services <c>serve</c> runs, for one verb: configuration, store (migrated), arXiv clients.</summary>
internal sealed class CliHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CliHost(ServiceProvider services) => _services = services;

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <param name="migrate">False for `migrate` itself, which reports what it applied.</param>
    public static async Task<CliHost> StartAsync(ParseResult parse, CancellationToken ct, bool migrate = true)
    {
        var config = PaperboyConfiguration.Build(parse.GetValue(PaperboyCli.Data));
        var services = new ServiceCollection()
            .AddSingleton(config)
            .AddLogging(b => b.AddConfiguration(config.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
            .AddPaperboyCore(config)
            .AddMail(config)
            .AddDigestJob(config)
            .AddRecommendNightly()
            .BuildServiceProvider();
        var host = new CliHost(services);
        try
        {
            // Options are validated here, before anything runs.
            _ = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            _ = services.GetRequiredService<ArxivOptions>();
            if (migrate)
                await host.Get<IPaperStore>().MigrateAsync(ct);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>Runs a job with a spinner and its latest line on a terminal, or plain lines otherwise.</summary>
    public static async Task<T> WithProgressAsync<T>(string title, Func<IIngestProgress, Task<T>> job)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            return await job(new LineProgress());
        T result = default!;
        await AnsiConsole.Status().StartAsync(Markup.Escape(title), async ctx => result = await job(new SpinnerProgress(ctx, title)));
        return result;
    }

    private sealed class LineProgress : IIngestProgress
    {
        public void Report(string line) => Console.WriteLine(line);

        public void Problem(string message) => Console.Error.WriteLine(message);
    }

    private sealed class SpinnerProgress(StatusContext ctx, string title) : IIngestProgress
    {
        public void Report(string line) => ctx.Status($"{Markup.Escape(title)}: {Markup.Escape(line)}");

        public void Problem(string message) => AnsiConsole.MarkupLine("[yellow]" + Markup.Escape(message) + "[/]");
    }
}
