using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace RawChat.Tests.Support;

/// <summary>The read side: parses the server's frames, checks them against RFC 6455 and answers its control frames.</summary>
public sealed partial class RawWebSocket
{
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
                    FramesAfterClose++; // RFC 6455 §5.5.1 forbids them; the caller judges
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
            case Opcode.Ping:
                Interlocked.Increment(ref _pings);
                if (AnswersPings && Volatile.Read(ref _sentClose) == 0)
                {
                    Answer(new RawFrame(Opcode.Pong, payload));
                }

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
