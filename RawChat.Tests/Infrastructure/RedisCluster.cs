using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RawChat.Tests.Infrastructure;

/// <summary>
/// A throw-away Redis Cluster of three masters (no replicas) on loopback, each with its own port
/// and the cluster bus on port + 10000, in one temp folder with no persistence. Ready once every
/// master reports <c>cluster_state:ok</c>; disposing kills them and deletes the folder.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private const int Masters = 3;
    private const int BusOffset = 10_000;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string _executable;
    private readonly string _rootDir;
    private readonly ServerLog _createLog;
    private readonly List<Node> _nodes = [];

    private RedisCluster(string executable, string rootDir)
    {
        _executable = executable;
        _rootDir = rootDir;
        _createLog = new ServerLog(Path.Combine(_rootDir, "cluster-create.log"));
    }

    public IReadOnlyList<int> Ports => [.. _nodes.Select(n => n.Port)];

    /// <summary>StackExchange.Redis configuration string naming every master.</summary>
    public string ConnectionString => string.Join(',', Ports.Select(p => $"127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}"));

    public static async Task<RedisCluster> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = Environment.GetEnvironmentVariable("RAWCHAT_REDIS_SERVER") is { Length: > 0 } configured
            ? configured
            : "redis-server";
        var cluster = new RedisCluster(executable, Directory.CreateTempSubdirectory("rawchat-test-redis-cluster-").FullName);
        try
        {
            for (var i = 0; i < Masters; i++)
            {
                var node = new Node(Path.Combine(cluster._rootDir, $"redis-{i}.log"), cluster._nodes.Select(n => n.Port));
                cluster._nodes.Add(node);
                await node.Process.StartWithPortRetryAsync(
                    () => cluster.StartNodeAsync(node, cancellationToken), () => node.TakeAnotherPort(cluster._nodes.Select(n => n.Port)));
            }

            await cluster.CreateAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.Process.StopAsync();
            node.Log.Dispose();
        }

        _createLog.Dispose();
        Directory.Delete(_rootDir, recursive: true);
    }

    private async Task StartNodeAsync(Node node, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(_executable,
        [
            .. RedisServer.Arguments(node.Port, _rootDir),
            "--cluster-enabled", "yes",
            "--cluster-config-file", Path.Combine(_rootDir, $"nodes-{node.Port}.conf"),
        ])
        {
            WorkingDirectory = _rootDir,
        };
        try
        {
            node.Process.Start(info);
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not run '{_executable}': install redis-server or set RAWCHAT_REDIS_SERVER.", e);
        }

        await WaitUntilAsync(node, reply => reply.StartsWith("+PONG", StringComparison.Ordinal), "PING", "answer PING", cancellationToken);
    }

    /// <summary>Assigns the slots with <c>redis-cli --cluster create</c>, then waits until every master says the cluster is ok.</summary>
    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        var cli = Environment.GetEnvironmentVariable("RAWCHAT_REDIS_CLI") is { Length: > 0 } configured ? configured : "redis-cli";
        var info = new ProcessStartInfo(cli, ["--cluster", "create", .. Ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"])
        {
            WorkingDirectory = _rootDir,
        };
        await _createLog.RunToEndAsync(info, StartTimeout, cancellationToken);
        foreach (var node in _nodes)
        {
            await WaitUntilAsync(node, reply => reply.Contains("cluster_state:ok", StringComparison.Ordinal)
                && reply.Contains($"cluster_known_nodes:{Masters}", StringComparison.Ordinal), "CLUSTER INFO", "report cluster_state:ok", cancellationToken);
        }
    }

    private static async Task WaitUntilAsync(Node node, Func<string, bool> ready, string command, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            node.Process.ThrowIfExited();
            if (await QueryAsync(node.Port, command, cancellationToken) is { } reply && ready(reply))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        throw new TimeoutException($"redis-server on port {node.Port} did not {what} within {StartTimeout.TotalSeconds} s.\n{node.Log.Tail()}");
    }

    /// <summary>Sends one inline command and returns the raw reply (a bulk reply read to its end), or null when the server does not answer.</summary>
    private static async Task<string?> QueryAsync(int port, string command, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), timeout.Token);
            var reply = new StringBuilder();
            var buffer = new byte[4096];
            while (!IsComplete(reply.ToString()))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return null;
                }

                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return reply.ToString();
        }
        catch (Exception e) when (e is SocketException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private static bool IsComplete(string reply)
    {
        var firstLine = reply.IndexOf("\r\n", StringComparison.Ordinal);
        if (firstLine < 0)
        {
            return false;
        }

        return reply[0] != '$'
            || !int.TryParse(reply.AsSpan(1, firstLine - 1), CultureInfo.InvariantCulture, out var length)
            || length < 0
            || reply.Length >= firstLine + 2 + length + 2;
    }

    /// <summary>One master: its port (its bus port is free too), process and log.</summary>
    private sealed class Node
    {
        public Node(string logPath, IEnumerable<int> taken)
        {
            Port = PortWithFreeBus(taken);
            Log = new ServerLog(logPath);
            Process = new ServerProcess("redis-server", Log); // no stop signals: SIGKILL
        }

        public int Port { get; private set; }

        public ServerLog Log { get; }

        public ServerProcess Process { get; }

        public void TakeAnotherPort(IEnumerable<int> taken) => Port = PortWithFreeBus(taken);

        /// <summary>A free port whose cluster bus port (+10000) is free as well.</summary>
        private static int PortWithFreeBus(IEnumerable<int> taken)
        {
            var used = taken.SelectMany(p => new[] { p, p + BusOffset }).ToHashSet();
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = FreePort.Next();
                if (port + BusOffset <= IPEndPoint.MaxPort && !used.Contains(port) && !used.Contains(port + BusOffset) && IsFree(port + BusOffset))
                {
                    return port;
                }
            }

            throw new InvalidOperationException("Found no free loopback port whose cluster bus port (+10000) is free too.");
        }

        private static bool IsFree(int port)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
