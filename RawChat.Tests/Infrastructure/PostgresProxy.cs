using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RawChat.Tests.Infrastructure;

/// <summary>What the proxy does to the next COMMIT a client sends.</summary>
public enum CommitFault
{
    /// <summary>PostgreSQL gets the COMMIT (and commits); the client's connection is cut before the answer.</summary>
    CutAfterCommit,

    /// <summary>The COMMIT never reaches PostgreSQL; both connections are cut (PostgreSQL rolls back).</summary>
    DropCommit,
}

/// <summary>
/// A TCP proxy in front of PostgreSQL that reads the client's side of the wire protocol (untyped
/// startup messages, then typed ones) and, when armed, loses the connection around one COMMIT:
/// the moment whose outcome a client cannot know.
/// </summary>
public sealed class PostgresProxy : IAsyncDisposable
{
    private const int SslRequestCode = 80877103;
    private const int GssEncRequestCode = 80877104;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<TcpClient> _open = [];
    private (CommitFault Fault, TaskCompletionSource Done)? _armed;

    public PostgresProxy(int serverPort)
    {
        _serverPort = serverPort;
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Applies <paramref name="fault"/> to the next COMMIT; the task completes once it did.</summary>
    public Task Arm(CommitFault fault)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_open)
        {
            _armed = (fault, done);
        }

        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, _serverPort, _stop.Token);
            lock (_open)
            {
                _open.Add(client);
                _open.Add(server);
            }

            var toClient = PumpAsync(server.GetStream(), client.GetStream());
            _ = Task.Run(() => ClientToServerAsync(client, server, toClient));
        }
    }

    private static async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // One side went away.
        }
    }

    private async Task ClientToServerAsync(TcpClient client, TcpClient server, Task toClient)
    {
        var from = client.GetStream();
        var to = server.GetStream();
        try
        {
            // Untyped: SSL / GSS encryption requests (answered 'N' by a server without them), then the startup message.
            while (true)
            {
                var head = await ReadAsync(from, 8);
                var body = await ReadAsync(from, BinaryPrimitives.ReadInt32BigEndian(head) - 8);
                await to.WriteAsync(head);
                await to.WriteAsync(body);
                var code = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4));
                if (code is not SslRequestCode and not GssEncRequestCode)
                {
                    break;
                }
            }

            while (true)
            {
                var head = await ReadAsync(from, 5);
                var body = await ReadAsync(from, BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(1)) - 4);
                var isCommit = head[0] == (byte)'Q' && Encoding.ASCII.GetString(body).StartsWith("COMMIT", StringComparison.Ordinal);
                var fault = isCommit ? TakeArmed() : null;
                if (fault?.Fault != CommitFault.DropCommit)
                {
                    await to.WriteAsync(head);
                    await to.WriteAsync(body);
                }

                if (fault is { } armed)
                {
                    // The client loses its connection now. After a cut COMMIT the server side stays
                    // open a moment, so PostgreSQL reads it and commits before it sees the client gone.
                    client.Client.LingerState = new LingerOption(true, 0); // a reset, as a dropped network gives
                    client.Dispose();
                    if (armed.Fault == CommitFault.DropCommit)
                    {
                        server.Dispose();
                    }

                    armed.Done.TrySetResult();
                    await toClient;
                    server.Dispose();
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or EndOfStreamException)
        {
            client.Dispose();
            server.Dispose();
        }
    }

    private (CommitFault Fault, TaskCompletionSource Done)? TakeArmed()
    {
        lock (_open)
        {
            var armed = _armed;
            _armed = null;
            return armed;
        }
    }

    private static async Task<byte[]> ReadAsync(Stream stream, int count)
    {
        var bytes = new byte[count];
        await stream.ReadExactlyAsync(bytes);
        return bytes;
    }
}
