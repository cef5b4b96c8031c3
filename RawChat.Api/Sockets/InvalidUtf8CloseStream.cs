namespace RawChat.Api.Sockets;

/// <summary>
/// The upgraded connection's stream, unchanged but for one frame. The runtime's WebSocket checks
/// UTF-8 itself and answers invalid text with a bare 1007 close before our code sees the bytes;
/// PROTOCOL §2.3 promises the reason <c>invalid_utf8</c>, so that one close frame gets its reason.
/// </summary>
internal sealed class InvalidUtf8CloseStream(Stream inner) : Stream
{
    // FIN + close opcode, payload length 2, status 1007 (0x03EF), as the runtime writes it.
    private static readonly byte[] BareInvalidUtf8Close = [0x88, 0x02, 0x03, 0xEF];
    private static readonly byte[] ReasonedInvalidUtf8Close =
        [0x88, 0x0E, 0x03, 0xEF, .. "invalid_utf8"u8];

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer.Span.SequenceEqual(BareInvalidUtf8Close) ? ReasonedInvalidUtf8Close : buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
