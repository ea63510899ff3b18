using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Paperboy.Web;

namespace Paperboy.Tests.Infrastructure;

/// <summary>
/// The real app (same services, middleware and routes as <c>paperboy serve</c>) in memory, over a real
/// database. `serve` is a CLI verb, so the host is built here rather than discovered from Main.
/// </summary>
public sealed class PaperboyFactory(TestStore store, IReadOnlyDictionary<string, string?>? extra = null, TimeProvider? clock = null) : WebApplicationFactory<Program>
{
    protected override IHostBuilder CreateHostBuilder() =>
        Host.CreateDefaultBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(store.Settings).AddInMemoryCollection(extra ?? new Dictionary<string, string?>()))
            .ConfigureWebHostDefaults(web => web
                .UseEnvironment("Testing")
                .ConfigureServices((ctx, services) =>
                {
                    if (clock is not null)
                        services.AddSingleton(clock); // before the app's own TryAdd of the system clock
                    services.AddPaperboy(ctx.Configuration);
                })
                .Configure(app => app.UsePaperboy()));
}
