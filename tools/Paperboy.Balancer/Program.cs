using System.Globalization;

namespace Paperboy.Tools;

/// <summary>
/// paperboy's test balancer: <c>Paperboy.Balancer --port 8080 [--https] [--policy RoundRobin|LeastRequests]
/// [--health-interval SECONDS] BACKEND...</c>; runs until Ctrl+C or SIGTERM, then prints its counts.
/// (A class of its own, not top-level statements: the test project references this and paperboy, and each would bring
/// a public Program.)
/// </summary>
internal static class BalancerProgram
{
    public static async Task<int> Main(string[] args)
    {
        const string Usage = "usage: Paperboy.Balancer --port PORT [--https] [--policy RoundRobin|LeastRequests] [--health-interval SECONDS] BACKEND... (e.g. http://127.0.0.1:5001)";
        int? port = null;
        // Warnings on the console; YARP's own (a refused connection, a failed probe) only as counts at exit: they come in bursts when a node dies.
        var options = new BalancerOptions { Logging = l => l.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning).AddFilter("Yarp", LogLevel.Error) };
        var backends = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            switch (args[i])
            {
                case "--port":
                    port = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--https":
                    options.Https = true;
                    break;
                case "--policy":
                    options.Policy = Value() switch
                    {
                        "RoundRobin" or "round-robin" => "RoundRobin",
                        "LeastRequests" or "least-requests" => "LeastRequests",
                        var other => throw new ArgumentException($"--policy {other}: use RoundRobin or LeastRequests"),
                    };
                    break;
                case "--health-interval":
                    options.HealthInterval = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture));
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    backends.Add(args[i]);
                    break;
            }
        }
        if (port is null || backends.Count == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        await using var balancer = await Balancer.StartAsync(port.Value, backends, options);
        Console.WriteLine($"balancer: listening on {balancer.Url} ({options.Policy}) in front of {string.Join(", ", backends)}");
        await balancer.WaitForShutdownAsync();
        Console.WriteLine($"balancer: {balancer.Stats}");
        return 0;
    }
}
