using Paperboy.Cli;

// Paperboy: one executable, one verb per stage of the pipeline (ingest -> store -> index -> rank -> show/send).
// Each verb lives in Cli/; `serve` hosts the web pages and the JSON API (Web/).
return await PaperboyCli.Build().Parse(args).InvokeAsync();

/// <summary>The entry point; public so the test host can name it.</summary>
public partial class Program;
