using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using System.Threading.Channels;

namespace RawChat.Tests.Support;

/// <summary>
/// A WebSocket client on a bare <see cref="TcpClient"/>: it does the HTTP upgrade itself, then
/// writes whatever <see cref="RawFrame"/>s a test asks for — control frames between fragments,
/// reserved opcodes, invalid UTF-8 in text frames — which <c>ClientWebSocket</c> cannot. A read
/// loop answers the server's pings, queues its text messages, records its pongs and its close,
/// and notes every way the server's own framing breaks RFC 6455 in <see cref="Violations"/>.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
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

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

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

    /// <summary>Payloads of the pongs the server sent, in order.</summary>
    public IReadOnlyCollection<byte[]> Pongs => _pongs;

    /// <param name="uri"><c>ws://host:port/path?query</c></param>
    public static async Task<RawWebSocket> ConnectAsync(Uri uri, CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(uri.Host, uri.Port, ct);
            var socket = new RawWebSocket(tcp);
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

    private async Task ReadLoopAsync()
    {
        var message = new ArrayBufferWriter<byte>();
        byte? messageOpcode = null;
        try
        {
            while (true)
            {
                if (!await EnsureAsync(2))
                {
                    EndedBy("EOF");
                    break;
                }

                var fin = (_in[_start] & 0x80) != 0;
                var rsv = (_in[_start] >> 4) & 0x7;
                var opcode = (byte)(_in[_start] & 0x0F);
                var masked = (_in[_start + 1] & 0x80) != 0;
                var length7 = _in[_start + 1] & 0x7F;
                var headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
                if (!await EnsureAsync(headerLength))
                {
                    EndedBy("EOF inside a frame header");
                    break;
                }

                var length = length7 < 126 ? length7
                    : length7 == 126 ? BinaryPrimitives.ReadUInt16BigEndian(_in.AsSpan(_start + 2))
                    : BinaryPrimitives.ReadInt64BigEndian(_in.AsSpan(_start + 2));
                if (length is < 0 or > MaxServerMessageBytes)
                {
                    Violation($"a server frame declares {length} payload bytes");
                    break;
                }

                if (!await EnsureAsync(headerLength + (int)length))
                {
                    EndedBy("EOF inside a frame");
                    break;
                }

                var payload = _in.AsSpan(_start + headerLength, (int)length).ToArray();
                if (masked)
                {
                    Violation("the server masked a frame (RFC 6455 §5.1)");
                    var key = _in.AsSpan(_start + headerLength - 4, 4);
                    for (var i = 0; i < payload.Length; i++)
                    {
                        payload[i] ^= key[i & 3];
                    }
                }

                _start += headerLength + (int)length;
                if (rsv != 0)
                {
                    Violation($"the server set RSV bits {rsv} without an extension");
                }

                if (_closed.Task.IsCompleted)
                {
                    Violation($"the server sent a frame (opcode {opcode}) after its close frame");
                    continue;
                }

                if (Opcode.IsControl(opcode))
                {
                    if (!fin || payload.Length > 125)
                    {
                        Violation($"the server sent a fragmented or oversized control frame (opcode {opcode}, {payload.Length} bytes)");
                    }

                    OnControlFrame(opcode, payload);
                    continue;
                }

                if (opcode is not (Opcode.Text or Opcode.Binary or Opcode.Continuation))
                {
                    Violation($"the server sent reserved opcode {opcode}");
                    continue;
                }

                if ((opcode == Opcode.Continuation) != messageOpcode.HasValue)
                {
                    Violation($"the server's fragments are out of order (opcode {opcode})");
                }

                messageOpcode ??= opcode;
                message.Write(payload);
                if (fin)
                {
                    OnMessage(messageOpcode.Value, message.WrittenSpan);
                    message.ResetWrittenCount();
                    messageOpcode = null;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection dropped or was disposed: Closed reports it as (null, null).
            EndedBy((e.InnerException ?? e).Message);
        }
        finally
        {
            if (_closeFrameAt != 0)
            {
                CloseToEnd = Stopwatch.GetElapsedTime(_closeFrameAt);
            }

            _closed.TrySetResult((null, null));
            _texts.Writer.TryComplete();
        }
    }

    private void OnMessage(byte opcode, ReadOnlySpan<byte> payload)
    {
        if (opcode == Opcode.Binary)
        {
            Violation($"the server sent a binary message of {payload.Length} bytes");
        }
        else if (!Utf8.IsValid(payload))
        {
            Violation("the server sent a text message that is not UTF-8");
        }
        else
        {
            _texts.Writer.TryWrite(Encoding.UTF8.GetString(payload));
        }
    }

    private void OnControlFrame(byte opcode, byte[] payload)
    {
        switch (opcode)
        {
            case Opcode.Ping when Volatile.Read(ref _sentClose) == 0:
                Answer(new RawFrame(Opcode.Pong, payload));
                break;
            case Opcode.Pong:
                _pongs.Enqueue(payload);
                break;
            case Opcode.Close:
                (int? Code, string? Reason) close = (null, null);
                if (payload.Length == 1)
                {
                    Violation("the server's close frame has a 1-byte payload");
                }
                else if (payload.Length >= 2)
                {
                    var reason = payload.AsSpan(2);
                    if (!Utf8.IsValid(reason))
                    {
                        Violation("the server's close reason is not UTF-8");
                    }

                    close = (BinaryPrimitives.ReadUInt16BigEndian(payload), Encoding.UTF8.GetString(reason));
                }

                _closeFrameAt = Stopwatch.GetTimestamp();
                _closed.TrySetResult(close);
                _texts.Writer.TryComplete();
                if (Interlocked.Exchange(ref _sentClose, 1) == 0)
                {
                    // Completes the closing handshake, echoing the status code (RFC 6455 §5.5.1).
                    Answer(new RawFrame(Opcode.Close, payload.Length >= 2 ? payload[..2] : []));
                }

                break;
            case Opcode.Ping:
                break;
            default:
                Violation($"the server sent reserved control opcode {opcode}");
                break;
        }
    }

    /// <summary>
    /// Queues a control frame behind whatever the test is writing, without blocking the read loop:
    /// a reader that waited for a writer stuck on a full TCP window would deadlock with the server.
    /// </summary>
    private void Answer(RawFrame frame)
    {
        var previous = _answering;
        _answering = AnswerAfterAsync(previous, frame);
    }

    private async Task AnswerAfterAsync(Task previous, RawFrame frame)
    {
        await previous;
        var buffer = new ArrayBufferWriter<byte>();
        frame.WriteTo(buffer);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await WriteAsync(buffer.WrittenMemory, timeout.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The server may already have gone; its close (or the drop) is what counts.
        }
    }

    private void Violation(string text) => _violations.Enqueue(text);

    private void EndedBy(string ending) => Ending ??= ending;

    /// <returns>false when the connection ended before <paramref name="count"/> bytes were buffered.</returns>
    private async ValueTask<bool> EnsureAsync(int count)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync(CancellationToken.None))
            {
                return false;
            }
        }

        return true;
    }

    private async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        if (_end == _in.Length)
        {
            var buffered = _end - _start;
            var target = buffered * 2 > _in.Length ? new byte[_in.Length * 2] : _in;
            Buffer.BlockCopy(_in, _start, target, 0, buffered);
            (_in, _start, _end) = (target, 0, buffered);
        }

        var read = await _stream.ReadAsync(_in.AsMemory(_end), ct);
        _end += read;
        return read > 0;
    }
}
