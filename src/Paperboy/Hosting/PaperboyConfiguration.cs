using Paperboy.Core.Papers;
using Paperboy.Storage.Postgres;
using Paperboy.Storage.Sqlite;

namespace Paperboy.Hosting;

/// <summary>
/// Configuration shared by every verb: appsettings.json beside the executable and in the working folder,
/// then <c>PAPERBOY_</c> environment variables (<c>PAPERBOY_Storage__Provider=postgres</c>), then <c>--data</c>.
/// </summary>
public static class PaperboyConfiguration
{
    public const string EnvironmentPrefix = "PAPERBOY_";

    public static void AddPaperboySources(this IConfigurationBuilder config, string? dataDirectory)
    {
        config.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        config.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true, reloadOnChange: false);
        config.AddEnvironmentVariables(EnvironmentPrefix);
        if (dataDirectory is not null)
            config.AddInMemoryCollection([new($"{StorageOptions.Section}:{nameof(StorageOptions.DataDirectory)}", dataDirectory)]);
    }

    public static IConfiguration Build(string? dataDirectory)
    {
        var builder = new ConfigurationBuilder();
        builder.AddPaperboySources(dataDirectory);
        return builder.Build();
    }

}
