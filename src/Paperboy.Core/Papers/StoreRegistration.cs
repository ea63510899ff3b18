using Microsoft.Extensions.DependencyInjection;

namespace Paperboy.Core.Papers;

/// <summary>How a provider puts its store into a service collection: once, under every part a caller may ask for.</summary>
public static class StoreRegistration
{
    public static IServiceCollection AddPaperStore(this IServiceCollection services, Func<IServiceProvider, IPaperStore> create)
    {
        services.AddSingleton(create);
        services.AddSingleton<IStoreAdmin>(sp => sp.GetRequiredService<IPaperStore>());
        services.AddSingleton<IPaperReader>(sp => sp.GetRequiredService<IPaperStore>());
        services.AddSingleton<IImportStore>(sp => sp.GetRequiredService<IPaperStore>());
        services.AddSingleton<IJobState>(sp => sp.GetRequiredService<IPaperStore>());
        services.AddSingleton<IEmbeddingStore>(sp => sp.GetRequiredService<IPaperStore>());
        services.AddSingleton<IDataProtectionKeys>(sp => sp.GetRequiredService<IPaperStore>());
        return services;
    }
}
