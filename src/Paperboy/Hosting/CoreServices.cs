using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Paperboy.Core.Ingest;
using Paperboy.Core.Ingest.Arxiv;
using Paperboy.Core.Papers;
using Paperboy.Core.Search;
using Paperboy.Storage.Postgres;
using Paperboy.Storage.Sqlite;

namespace Paperboy.Hosting;

/// <summary>The services every verb and the web host share: storage and arXiv ingestion.</summary>
public static class CoreServices
{
    public static IServiceCollection AddPaperboyCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, SelfValidating<StorageOptions>>();
        // The composition root's one switch on the provider; each provider registers its own store.
        StorageOptions Storage(IServiceProvider sp) => sp.GetRequiredService<IOptions<StorageOptions>>().Value;
        if (configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.Provider)}"] == "postgres")
            services.AddPostgresStorage(sp => Storage(sp).ConnectionString!);
        else
            services.AddSqliteStorage(sp => Storage(sp).DataDirectory);

        services.AddOptions<ArxivOptions>().Bind(configuration.GetSection(ArxivOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ArxivOptions>, SelfValidating<ArxivOptions>>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ArxivOptions>>().Value);
        // One limiter and one connection for the whole process: arXiv's terms are per client, not per job.
        services.AddSingleton(sp => new ArxivRateLimiter(sp.GetRequiredService<ArxivOptions>().RequestInterval, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var http = new HttpClient(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = 1,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                UseCookies = false,
            });
            ArxivHttp.Configure(http, sp.GetRequiredService<ArxivOptions>());
            return new ArxivHttp(http, sp.GetRequiredService<ArxivRateLimiter>(), sp.GetRequiredService<ArxivOptions>(), sp.GetService<ILogger<ArxivHttp>>());
        });
        services.AddSingleton<ArxivClient>();
        services.AddSingleton<OaiHarvester>();
        services.AddSingleton<AnnouncementIngester>();
        services.AddSingleton<PaperSubmitter>();
        services.AddSingleton<DailyIngestJob>();

        services.AddOptions<SearchOptions>().Bind(configuration.GetSection(SearchOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new SearchEngine(
            sp.GetRequiredService<IPaperStore>(),
            sp.GetRequiredService<IOptions<SearchOptions>>().Value,
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory,
            sp.GetRequiredService<ILogger<SearchEngine>>()));
        return services;
    }

    /// <summary>Options that validate themselves (IValidatableObject), checked at start-up.</summary>
    private sealed class SelfValidating<T> : IValidateOptions<T> where T : class, System.ComponentModel.DataAnnotations.IValidatableObject
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage ?? "").ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
