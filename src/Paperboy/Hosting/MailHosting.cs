using Microsoft.Extensions.Options;
using Paperboy.Core.Mail;

namespace Paperboy.Hosting;

/// <summary>Mail: the outbox sender as a background job of <c>serve</c>, over SMTP or (no host set) the pickup folder.</summary>
public static class MailHosting
{
    public static IServiceCollection AddMail(this IServiceCollection services, IConfiguration configuration)
    {
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
        services.AddHostedService<OutboxSenderService>();
        return services;
    }

    private sealed class OutboxSenderService(OutboxSender sender) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => sender.RunAsync(stoppingToken);
    }
}
