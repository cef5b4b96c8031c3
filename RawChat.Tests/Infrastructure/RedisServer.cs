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
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string executable;
    private readonly string rootDir;
    private readonly StreamWriter log;
    private readonly Lock logLock = new();
    private Process? process;
    private volatile bool sawAddressInUse;

    private RedisServer(string executable, string rootDir)
    {
        this.executable = executable;
        this.rootDir = rootDir;
        LogPath = Path.Combine(rootDir, "redis.log");
        log = new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        Port = FreePort.Next();
    }

    public int Port { get; private set; }

    /// <summary>redis-server output.</summary>
    public string LogPath { get; }

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
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await server.StartProcessAsync(cancellationToken);
                    return server;
                }
                catch (InvalidOperationException) when (server.sawAddressInUse && attempt < StartAttempts)
                {
                    // Someone took the port between FreePort and redis binding it: pick another.
                    await server.StopAsync();
                    server.Port = FreePort.Next();
                }
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the server (SIGKILL) and waits until it is gone. All data is lost.</summary>
    public async Task StopAsync()
    {
        var running = process;
        if (running is null)
        {
            return;
        }

        process = null;
        if (!running.HasExited)
        {
            running.Kill();
        }

        await running.WaitForExitAsync();
        running.Dispose();
    }

    /// <summary>Starts an empty server again on the same port after <see cref="StopAsync"/>.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (process is not null)
        {
            throw new InvalidOperationException("redis-server is already running.");
        }

        await StartProcessAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        lock (logLock)
        {
            log.Dispose();
        }

        Directory.Delete(rootDir, recursive: true);
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        sawAddressInUse = false;
        var info = new ProcessStartInfo(executable,
        [
            "--bind", "127.0.0.1",
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", rootDir,
        ])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = rootDir,
        };
        WriteLog($"--- {DateTime.UtcNow:O} {info.FileName} {string.Join(' ', info.ArgumentList)}");
        var started = new Process { StartInfo = info };
        started.OutputDataReceived += (_, e) => WriteLog(e.Data);
        started.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        try
        {
            started.Start();
        }
        catch (Win32Exception e)
        {
            started.Dispose();
            throw new InvalidOperationException($"Could not run '{executable}': install redis-server or set RAWCHAT_REDIS_SERVER.", e);
        }

        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process = started;
        await WaitUntilReadyAsync(started, cancellationToken);
    }

    private async Task WaitUntilReadyAsync(Process started, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (started.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {started.ExitCode} while starting.\n{LogTail()}");
            }

            if (await AnswersPingAsync(cancellationToken))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        throw new TimeoutException($"redis-server did not answer PING on port {Port} within {StartTimeout.TotalSeconds} s.\n{LogTail()}");
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

    private void WriteLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains("Address already in use", StringComparison.Ordinal))
        {
            sawAddressInUse = true;
        }

        lock (logLock)
        {
            log.WriteLine(line);
        }
    }

    private string LogTail(int lines = 40)
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return $"Last lines of {LogPath}:\n{string.Join('\n', all.TakeLast(lines))}";
    }
}
