using System.Threading.Channels;
using RawChat.Core.Protocol;

namespace RawChat.Core.Chat;

/// <summary>
/// The bounded queue in front of one socket's single send loop. Fan-out never waits on it: a
/// full outbox means a slow consumer, and the connection is asked to close with 1013.
/// </summary>
public sealed class ConnectionOutbox
{
    private readonly Channel<ReadOnlyMemory<byte>> _channel;
    private readonly TaskCompletionSource<CloseReason> _closeRequested =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConnectionOutbox(int capacity)
    {
        _channel = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ChannelReader<ReadOnlyMemory<byte>> Reader => _channel.Reader;

    /// <summary>Completes with the reason once something asked this connection to close.</summary>
    public Task<CloseReason> CloseRequested => _closeRequested.Task;

    public bool IsClosing => _closeRequested.Task.IsCompleted;

    /// <summary>For fan-out: never blocks; a full queue closes the connection as a slow consumer.</summary>
    public bool TryEnqueue(ReadOnlyMemory<byte> frame)
    {
        if (_channel.Writer.TryWrite(frame) || IsClosing)
        {
            return !IsClosing;
        }

        RequestClose(CloseReason.SlowConsumer);
        return false;
    }

    /// <summary>For the connection's own answers (replies, replays): waits for room in the queue.</summary>
    public async ValueTask EnqueueAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        try
        {
            await _channel.Writer.WriteAsync(frame, ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The connection is closing; the frame has nowhere to go.
        }
    }

    /// <summary>
    /// The first reason wins; later requests are ignored. A slow consumer's queue is shut at once;
    /// for every other reason the socket loop shuts it once the frame in hand is answered, so an
    /// ack for a message already being stored still goes out before the close.
    /// </summary>
    public void RequestClose(CloseReason reason)
    {
        if (_closeRequested.TrySetResult(reason) && reason == CloseReason.SlowConsumer)
        {
            Complete();
        }
    }

    /// <summary>No more frames: the send loop sends what is queued, then the close frame.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
