using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RawChat.Tests.Infrastructure;

/// <summary>
/// A throw-away redis-server for a test run: its own loopback port and temp folder, no
/// persistence. <see cref="StopAsync"/> kills it outright, like a crashed Redis.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string executable;
    private readonly string rootDir;
    private readonly ServerLog log;
    private readonly ServerProcess process;

    private RedisServer(string executable, string rootDir)
    {
        this.executable = executable;
        this.rootDir = rootDir;
        log = new ServerLog(Path.Combine(rootDir, "redis.log"));
        process = new ServerProcess("redis-server", log); // no stop signals: SIGKILL
        Port = FreePort.Next();
    }

    public int Port { get; private set; }

    /// <summary>redis-server output.</summary>
    public string LogPath => log.Path;

    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = Environment.GetEnvironmentVariable("RAWCHAT_REDIS_SERVER") is { Length: > 0 } configured
            ? configured
            : "redis-server";
        var server = new RedisServer(executable, Directory.CreateTempSubdirectory("rawchat-test-redis-").FullName);
        try
        {
            await server.process.StartWithPortRetryAsync(
                () => server.StartProcessAsync(cancellationToken), () => server.Port = FreePort.Next());
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the server (SIGKILL) and waits until it is gone. All data is lost.</summary>
    public Task StopAsync() => process.StopAsync();

    /// <summary>Starts an empty server again on the same port after <see cref="StopAsync"/>.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (process.IsRunning)
        {
            throw new InvalidOperationException("redis-server is already running.");
        }

        await StartProcessAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        log.Dispose();
        Directory.Delete(rootDir, recursive: true);
    }

    /// <summary>A throw-away server on loopback: no persistence, everything under <paramref name="dir"/>.</summary>
    internal static List<string> Arguments(int port, string dir) =>
    [
        "--bind", "127.0.0.1",
        "--port", port.ToString(CultureInfo.InvariantCulture),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--dir", dir,
    ];

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable, Arguments(Port, rootDir))
        {
            WorkingDirectory = rootDir,
        };
        try
        {
            process.Start(info);
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not run '{executable}': install redis-server or set RAWCHAT_REDIS_SERVER.", e);
        }

        await WaitUntilReadyAsync(cancellationToken);
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            process.ThrowIfExited();
            if (await AnswersPingAsync(cancellationToken))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        throw new TimeoutException($"redis-server did not answer PING on port {Port} within {StartTimeout.TotalSeconds} s.\n{log.Tail()}");
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var reply = new StringBuilder();
            var buffer = new byte[64];
            while (!reply.ToString().Contains('\n', StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return false;
                }

                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return reply.ToString().StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
