using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Paperboy.Core.Papers;
using Paperboy.Hosting;
using Paperboy.Web.Account;
using Paperboy.Web.Admin;
using Paperboy.Web.Community;
using Paperboy.Web.Digests;
using Paperboy.Web.Feeds;
using Paperboy.Web.ForYou;
using Paperboy.Web.Library;
using Paperboy.Web.Operations;
using Paperboy.Web.Papers;
using Paperboy.Web.Search;
using Paperboy.Web.Submit;

namespace Paperboy.Web;

/// <summary>The web host: services, middleware and routes, in the order a request meets them.</summary>
public static class PaperboyWeb
{
    public const string DefaultUrl = "http://127.0.0.1:5000";

    public static WebApplication Build(string[] args, string? dataDirectory)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddPaperboySources(dataDirectory);
        builder.Configuration.AddCommandLine(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrl);
        // Kestrel's default request line (8 KB) turns a long pasted query into a bare 414; let the app see it and say
        // what is wrong (the search's own limit is 2,000 characters; 64 KB leaves room for escaping).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestLineSize = 64 * 1024);
        builder.Services.AddPaperboy(builder.Configuration);
        var app = builder.Build();
        app.UsePaperboy();
        return app;
    }

    public static IServiceCollection AddPaperboy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPaperboyCore(configuration);
        services.AddOptions<WebOptions>().Bind(configuration.GetSection(WebOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<MigrateAtStartup>();
        services.AddHostedService<IngestScheduler>();
        services.AddHostedService<SearchIndexer>();
        // The features, each a folder with its pages and API together.
        services.AddPapers();
        services.AddSubmit();
        services.AddAccount();
        services.AddCommunity(configuration);
        services.AddLibrary();
        services.AddForYou();
        services.AddMail(configuration).AddMailSender();
        services.AddDigests(configuration);
        services.AddOperations(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SiteUrl>();
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Web";
            o.Conventions.AddPageRoute("/Papers/Listing", "");
        }).AddApplicationPart(typeof(PaperboyWeb).Assembly);
        services.AddOutputCache(FreshOutputCachePolicy.AddPolicies);
        services.AddOpenApi();
        services.AddProblemDetails();
        return services;
    }

    public static void UsePaperboy(this WebApplication app) => UsePaperboy((IApplicationBuilder)app, app);

    /// <summary>Middleware and endpoints; shared by <c>serve</c> and the test host.</summary>
    public static void UsePaperboy(this IApplicationBuilder app, IEndpointRouteBuilder? endpoints = null)
    {
        app.UseOperations();
        // The API answers errors as problem+json; pages answer with a readable page.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler().UseStatusCodePages());
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), pages => pages.UseExceptionHandler("/error/500").UseStatusCodePagesWithReExecute("/error/{0}"));
        app.Use(SecurityHeaders);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseOutputCache();
        void Map(IEndpointRouteBuilder e)
        {
            e.MapStaticFiles();
            e.MapPapers();
            e.MapSearch();
            e.MapSubmit();
            e.MapAdmin();
            e.MapAccount();
            e.MapCommunity();
            e.MapLibrary();
            e.MapForYou();
            e.MapFeeds();
            e.MapDigests();
            e.MapOpenApi();
            e.MapOperations();
            e.MapRazorPages();
        }
        if (endpoints is not null)
            Map(endpoints);
        else
            app.UseEndpoints(Map);
    }

    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var h = context.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "same-origin";
        // No scripts or styles from anywhere but here: the site works offline and injected markup cannot run.
        h.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        return next();
    }

    /// <summary>Migrations run before the server takes requests.</summary>
    private sealed class MigrateAtStartup(IStoreAdmin store, ILogger<MigrateAtStartup> log) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var ran = await store.MigrateAsync(cancellationToken);
            if (ran > 0)
                log.LogInformation("Applied {Count} migration(s) to the {Provider} database", ran, store.Provider);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
