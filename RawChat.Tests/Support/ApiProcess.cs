using System.Diagnostics;
using System.Text;
using RawChat.Tests.Infrastructure;

namespace RawChat.Tests.Support;

/// <summary>
/// RawChat as its own OS process (<c>dotnet RawChat.Api.dll</c>), for what only a real process
/// shows: signals, exit codes, what it prints.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ApiProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        HttpBase = new Uri($"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public Uri HttpBase { get; }

    public Uri WsBase => new($"ws://127.0.0.1:{Port}");

    public int Id => _process.Id;

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public static string ApiAssembly => Path.Combine(AppContext.BaseDirectory, "RawChat.Api.dll");

    /// <summary>Starts the service on a free port with exactly these environment settings (and no others of ours).</summary>
    public static ApiProcess Start(IDictionary<string, string?> environment, params string[] extraArgs)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(ApiAssembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var arg in extraArgs)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(IsOurs).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new ApiProcess(Process.Start(start)!, port);
    }

    /// <summary>The environment of a node on the test run's PostgreSQL and Redis.</summary>
    public static async Task<Dictionary<string, string?>> DefaultEnvironmentAsync() => new()
    {
        ["ConnectionStrings__Postgres"] = await SharedDatabase.GetAsync(),
        ["ConnectionStrings__Redis"] = TestServers.Redis.ConnectionString,
        ["Jwt__Secret"] = TestTokens.Secret,
    };

    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(5) };
        var ready = await Eventually.HoldsAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"RawChat exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                return (await http.GetAsync("/healthz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout ?? TimeSpan.FromSeconds(60));
        if (!ready)
        {
            throw new TimeoutException($"RawChat did not answer /healthz in time:\n{Output}");
        }
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static bool IsOurs(string key) =>
        key.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || key.StartsWith("Jwt__", StringComparison.Ordinal)
        || key.StartsWith("Chat__", StringComparison.Ordinal) || key.StartsWith("Fanout__", StringComparison.Ordinal)
        || key.StartsWith("Presence__", StringComparison.Ordinal) || key.StartsWith("Quotas__", StringComparison.Ordinal);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
