using System.Runtime.CompilerServices;

namespace Paperboy.Tests.Infrastructure;

/// <summary>Process-wide settings for every host the tests build, set before the first test runs.</summary>
internal static class TestHostDefaults
{
    [ModuleInitializer]
    internal static void Apply()
    {
        // Each default host watches appsettings.json with an inotify instance; hundreds of test hosts (several
        // alive at once, and their finalisation lagging) run past the kernel's 128 instances per user, after
        // which every new host fails to start. Tests never edit settings files, so nothing is lost.
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
    }
}
