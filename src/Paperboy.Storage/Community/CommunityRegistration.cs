using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Accounts;
using Paperboy.Core.Community;
using Paperboy.Core.Mail;

namespace Paperboy.Storage.Community;

/// <summary>How a provider registers the community stores over its connections.</summary>
public static class CommunityRegistration
{
    public static IServiceCollection AddCommunityStores(this IServiceCollection services, Func<IServiceProvider, SqlContext> context)
    {
        services.AddSingleton(context);
        services.AddSingleton<SqlAccountStore>(sp => new(sp.GetRequiredService<SqlContext>()));
        services.AddSingleton<IUserStore>(sp => sp.GetRequiredService<SqlAccountStore>());
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<SqlAccountStore>());
        services.AddSingleton<IOutboxStore>(sp => new SqlOutboxStore(sp.GetRequiredService<SqlContext>()));
        services.AddSingleton<SqlDailyStore>(sp => new(sp.GetRequiredService<SqlContext>()));
        services.AddSingleton<IDailyStore>(sp => sp.GetRequiredService<SqlDailyStore>());
        services.AddSingleton<IVoteStore>(sp => sp.GetRequiredService<SqlDailyStore>());
        services.AddSingleton<ITrendingStore>(sp => sp.GetRequiredService<SqlDailyStore>());
        services.AddSingleton<ICommentStore>(sp => new SqlCommentStore(sp.GetRequiredService<SqlContext>()));
        services.AddSingleton<SqlSubscriptionStore>(sp => new(sp.GetRequiredService<SqlContext>()));
        services.AddSingleton<Core.Digests.ISubscriptionStore>(sp => sp.GetRequiredService<SqlSubscriptionStore>());
        services.AddSingleton<Core.Jobs.IJobLeases>(sp => new SqlJobLeases(sp.GetRequiredService<SqlContext>()));
        services.AddSingleton<Core.Library.ILibraryStore>(sp => new Library.SqlLibraryStore(sp.GetRequiredService<SqlContext>()));
        services.AddSingleton<Core.Recommend.IForYouStore>(sp => new Recommend.SqlForYouStore(sp.GetRequiredService<SqlContext>()));
        return services;
    }
}
