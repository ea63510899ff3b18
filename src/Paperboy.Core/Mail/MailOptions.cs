using MailKit.Security;

namespace Paperboy.Core.Mail;

/// <summary>Mail settings, bound from the <c>Mail</c> section.</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    /// <summary>The sender, as <c>Name &lt;address&gt;</c> or a bare address.</summary>
    public string From { get; set; } = "Paperboy <paperboy@localhost>";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>Where messages are written as <c>.eml</c> files when no SMTP host is set (default: DATA/mail).</summary>
    public string? PickupDirectory { get; set; }

    /// <summary>How often the sender looks for due messages when nothing woke it.</summary>
    public double PollSeconds { get; set; } = 5;

    /// <summary>Tries before a message that keeps failing temporarily is given up.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first retry's wait; each further one doubles it (capped at six hours).</summary>
    public double RetryBaseSeconds { get; set; } = 30;

    /// <summary>How long a node's claim on a batch lasts: a node that dies leaves its batch to others after this.</summary>
    public double ClaimSeconds { get; set; } = 120;

    /// <summary>At most this many messages a minute (0: no limit), for servers that throttle senders.</summary>
    public int MaxPerMinute { get; set; }

    /// <summary>DKIM signing, when a key is set: <c>Domain</c>, <c>Selector</c>, <c>PrivateKeyPath</c> (PEM).</summary>
    public DkimOptions Dkim { get; set; } = new();
}

public sealed class DkimOptions
{
    public string? Domain { get; set; }
    public string? Selector { get; set; }
    public string? PrivateKeyPath { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Domain) && !string.IsNullOrWhiteSpace(Selector) && !string.IsNullOrWhiteSpace(PrivateKeyPath);
}

public sealed class SmtpOptions
{
    /// <summary>Empty: no SMTP; messages go to the pickup directory and sign-in links to the log.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>One of MailKit's <see cref="SecureSocketOptions"/> names: None, Auto, SslOnConnect, StartTls, StartTlsWhenAvailable.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;
}
