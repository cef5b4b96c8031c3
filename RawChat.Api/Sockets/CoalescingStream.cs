using System.Buffers;

namespace RawChat.Api.Sockets;

/// <summary>
/// The upgraded connection's stream, with a cork. Kestrel sends every write of an upgraded
/// stream at once (one flush, one send syscall, one hop to its I/O thread). While the send loop
/// drains the outbox it corks this stream, so every frame it finds queued (an ack and its echo,
/// a burst of room messages) leaves in one write. Frames the WebSocket writes meanwhile (pong,
/// ping, close) join the run in order. Nothing is held between runs: the buffer goes back to
/// the pool, so an idle connection costs nothing here. Reads pass through the
/// <see cref="InboundFrameScanner"/>, when one is given, before the WebSocket sees them.
/// </summary>
internal sealed class CoalescingStream(Stream inner, InboundFrameScanner? scanner = null) : Stream
{
    /// <summary>A run larger than this is sent as it grows, not held.</summary>
    internal const int MaxBufferedBytes = 64 * 1024;

    private readonly object _gate = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1); // one write to the inner stream at a time, in order
    private byte[]? _buffer;
    private int _length;
    private bool _corked;

    /// <summary>Writes are buffered until <see cref="UncorkAsync"/>.</summary>
    public void Cork()
    {
        lock (_gate)
        {
            _corked = true;
        }
    }

    /// <summary>Sends what the run buffered, in one write.</summary>
    public async ValueTask UncorkAsync()
    {
        lock (_gate)
        {
            _corked = false;
            if (_length == 0)
            {
                return;
            }
        }

        await WriteThroughAsync(ReadOnlyMemory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_corked && _length + buffer.Length <= MaxBufferedBytes)
            {
                Append(buffer.Span);
                return ValueTask.CompletedTask;
            }
        }

        return WriteThroughAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var reading = inner.ReadAsync(buffer, cancellationToken);
        if (scanner is null)
        {
            return reading;
        }

        if (reading.IsCompletedSuccessfully)
        {
            var read = reading.Result;
            scanner.Scan(buffer.Span[..read]);
            return new ValueTask<int>(read);
        }

        return ScanWhenReadAsync(reading, buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        scanner?.Scan(buffer.AsSpan(offset, read));
        return read;
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await WriteThroughAsync(ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override bool CanRead => inner.CanRead;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                ReturnBuffer();
                _length = 0;
            }

            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>What is buffered goes first, then <paramref name="data"/>, as one ordered write each.</summary>
    private async ValueTask WriteThroughAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        byte[]? buffered = null;
        try
        {
            int length;
            lock (_gate)
            {
                buffered = _buffer;
                length = _length;
                _buffer = null;
                _length = 0;
            }

            if (length > 0)
            {
                await inner.WriteAsync(buffered.AsMemory(0, length), ct).ConfigureAwait(false);
            }

            if (!data.IsEmpty)
            {
                await inner.WriteAsync(data, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            if (buffered is not null)
            {
                ArrayPool<byte>.Shared.Return(buffered);
            }

            _writeLock.Release();
        }
    }

    private async ValueTask<int> ScanWhenReadAsync(ValueTask<int> reading, Memory<byte> buffer)
    {
        var read = await reading.ConfigureAwait(false);
        scanner!.Scan(buffer.Span[..read]);
        return read;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_buffer is null || _buffer.Length - _length < data.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(4096, (_length + data.Length) * 2));
            _buffer?.AsSpan(0, _length).CopyTo(grown);
            ReturnBuffer();
            _buffer = grown;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = null;
    }
}
