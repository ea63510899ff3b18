using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Paperboy.Tests.Cluster;

/// <summary>One real <c>paperboy serve</c> process (the built paperboy.dll) on a loopback port, its output kept for the report.</summary>
internal sealed class ClusterNode : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ClusterNode(string name, int port, Process process)
    {
        (Name, Port, _process) = (name, port, process);
        Pid = process.Id;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>The node's own address (not through the balancer).</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Lease owners and outbox claims name the process by its id.</summary>
    public int Pid { get; }

    public bool Killed { get; private set; }

    public IReadOnlyList<string> Output => [.. _output];

    private void Keep(string? line)
    {
        if (line is not null)
            _output.Enqueue(line);
    }

    /// <summary>Starts <c>serve</c> with these settings as PAPERBOY_ variables (Section:Key becomes Section__Key).</summary>
    public static ClusterNode Start(string name, int port, string dataDirectory, IReadOnlyDictionary<string, string?> settings)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "paperboy.dll"), "serve", "--data", dataDirectory, "--urls", $"http://127.0.0.1:{port}" })
            psi.ArgumentList.Add(a);
        foreach (var (key, value) in settings)
            psi.Environment["PAPERBOY_" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return new ClusterNode(name, port, Process.Start(psi)!);
    }

    /// <summary>kill -9: no shutdown, no flushing, its leases and claims left to run out.</summary>
    public void Kill()
    {
        Killed = true;
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true); // SIGKILL on Unix
        _process.WaitForExit();
    }

    /// <summary>Waits until <c>/readyz</c> answers 200 (migrations applied, keyword index caught up).</summary>
    public async Task WaitReadyAsync(HttpClient http, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{string.Join('\n', Output.TakeLast(40))}");
            try
            {
                using var ready = await http.GetAsync(new Uri(Url + "/readyz"));
                if (ready.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds} s:\n{string.Join('\n', Output.TakeLast(40))}");
    }

    /// <summary>Free loopback ports, all probed at once so none is handed out twice.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        foreach (var l in listeners)
            l.Start();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners)
            l.Stop();
        return ports;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            Kill();
        _process.Dispose();
    }
}
