using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Paperboy.Core.Mail;

namespace Paperboy.Hosting;

/// <summary>
/// Mail: the outbox sender over SMTP or (no host set) the pickup folder; a background job of <c>serve</c>
/// (<see cref="AddMailSender"/>) that <c>paperboy mail send</c> also runs.
/// </summary>
public static class MailHosting
{
    public static IServiceCollection AddMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<MailOptions>().Bind(configuration.GetSection(MailOptions.Section));
        services.AddSingleton<Func<IMailTransport>>(sp =>
        {
            var mail = sp.GetRequiredService<IOptions<MailOptions>>().Value;
            var dataDirectory = sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory;
            var pickup = mail.PickupDirectory ?? Path.Combine(dataDirectory, "mail");
            return string.IsNullOrWhiteSpace(mail.Smtp.Host)
                ? () => new PickupDirectoryTransport(pickup)
                : () => new SmtpMailTransport(mail.Smtp);
        });
        services.AddSingleton<OutboxSender>();
        return services;
    }

    /// <summary>Runs the sender in the background of <c>serve</c>.</summary>
    public static IServiceCollection AddMailSender(this IServiceCollection services) => services.AddHostedService<OutboxSenderService>();

    private sealed class OutboxSenderService(OutboxSender sender) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => sender.RunAsync(stoppingToken);
    }
}
