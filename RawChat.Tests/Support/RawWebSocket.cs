using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace RawChat.Tests.Support;

/// <summary>
/// A WebSocket client on a bare <see cref="TcpClient"/>: it does the HTTP upgrade itself, then
/// writes whatever <see cref="RawFrame"/>s a test asks for — control frames between fragments,
/// reserved opcodes, invalid UTF-8 in text frames — which <c>ClientWebSocket</c> cannot. A read
/// loop answers the server's pings, queues its text messages, records its pongs and its close,
/// and notes every way the server's own framing breaks RFC 6455 in <see cref="Violations"/>.
/// </summary>
public sealed partial class RawWebSocket : IAsyncDisposable
{
    private const int MaxServerMessageBytes = 64 * 1024 * 1024;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Channel<string> _texts = Channel.CreateUnbounded<string>(new() { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource<(int? Code, string? Reason)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<byte[]> _pongs = new();
    private byte[] _in = new byte[16 * 1024];
    private int _start;
    private int _end;
    private int _sentClose;
    private Task _reading = Task.CompletedTask;
    private Task _answering = Task.CompletedTask; // pongs and the close echo, written off the read loop
    private long _closeFrameAt; // Stopwatch timestamp of the server's close frame
    private int _pings;

    private RawWebSocket(TcpClient tcp, bool answerPings)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        AnswersPings = answerPings;
    }

    /// <summary>False for a peer that reads the server's pings and never answers them.</summary>
    public bool AnswersPings { get; }

    /// <summary>How many pings the server sent so far.</summary>
    public int Pings => Volatile.Read(ref _pings);

    /// <summary>The server's text messages, reassembled, in order; completes at its close or when the connection drops.</summary>
    public ChannelReader<string> Texts => _texts.Reader;

    /// <summary>The server's close frame (code and reason; null code: no status), or (null, null) when the connection dropped without one.</summary>
    public Task<(int? Code, string? Reason)> Closed => _closed.Task;

    /// <summary>Completes when the server ended the TCP connection (or it failed).</summary>
    public Task Ended => _reading;

    public IReadOnlyCollection<string> Violations => _violations;

    /// <summary>How the TCP connection ended: "EOF" (the server's FIN), or the error that ended it; null while open.</summary>
    public string? Ending { get; private set; }

    /// <summary>From the server's close frame to the end of the TCP connection; null until both happened.</summary>
    public TimeSpan? CloseToEnd { get; private set; }

    /// <summary>Frames the server sent after its close frame (read once the read loop ended).</summary>
    public int FramesAfterClose { get; private set; }

    /// <summary>Payloads of the pongs the server sent, in order.</summary>
    public IReadOnlyCollection<byte[]> Pongs => _pongs;

    /// <param name="uri"><c>ws://host:port/path?query</c></param>
    /// <param name="answerPings">false: the server's pings are counted and never answered.</param>
    public static async Task<RawWebSocket> ConnectAsync(Uri uri, CancellationToken ct, bool answerPings = true)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(uri.Host, uri.Port, ct);
            var socket = new RawWebSocket(tcp, answerPings);
            await socket.UpgradeAsync(uri, ct);
            socket._reading = socket.ReadLoopAsync();
            return socket;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Writes the frames back to back, in one write.</summary>
    public async Task SendAsync(IEnumerable<RawFrame> frames, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var frame in frames)
        {
            frame.WriteTo(buffer);
            if (frame.Opcode == Opcode.Close)
            {
                Volatile.Write(ref _sentClose, 1);
            }
        }

        await WriteAsync(buffer.WrittenMemory, ct);
    }

    public Task SendAsync(RawFrame frame, CancellationToken ct) => SendAsync([frame], ct);

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        await _reading;
        await _answering;
        _writing.Dispose();
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _writing.WaitAsync(ct);
        try
        {
            await _stream.WriteAsync(bytes, ct);
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task UpgradeAsync(Uri uri, CancellationToken ct)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\n"
            + $"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(request), ct);

        int headEnd;
        while ((headEnd = _in.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await FillAsync(ct))
            {
                throw new IOException("the server closed the connection during the upgrade");
            }
        }

        var head = Encoding.ASCII.GetString(_in, _start, headEnd);
        _start += headEnd + 4;
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the upgrade was refused: {head.Split("\r\n")[0]}");
        }

        // RFC 6455 §4.2.2 prescribes SHA-1 here; it is no security measure.
#pragma warning disable CA5350
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        if (!head.Contains($"\r\nSec-WebSocket-Accept: {accept}", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"wrong Sec-WebSocket-Accept in: {head}");
        }
    }
}
