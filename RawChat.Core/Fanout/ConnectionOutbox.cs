using System.Threading.Channels;
using RawChat.Core.Protocol;

namespace RawChat.Core.Fanout;

/// <summary>
/// The queue in front of one socket's single send loop, bounded in bytes. Fan-out never waits on
/// it: a frame that would take it past the bound means a slow consumer, and the connection is
/// asked to close with 1013. The connection's own answers (history, replays, errors) wait for
/// room instead, so they are produced only as fast as the client reads; a client that takes no
/// byte for <c>stallTimeout</c> while they wait is a slow consumer too.
/// </summary>
public sealed class ConnectionOutbox
{
    private readonly Channel<ReadOnlyMemory<byte>> _channel = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource<CloseReason> _closeRequested =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private readonly long _maxBytes;
    private readonly TimeSpan _stallTimeout;
    private long _queuedBytes;
    private TaskCompletionSource? _roomWaiter;
    private volatile bool _completed;

    /// <param name="stallTimeout">Infinite: an answer waits for room as long as the connection lives.</param>
    public ConnectionOutbox(long maxBytes, TimeSpan stallTimeout)
    {
        _maxBytes = maxBytes;
        _stallTimeout = stallTimeout;
    }

    public ChannelReader<ReadOnlyMemory<byte>> Reader => _channel.Reader;

    /// <summary>The bound in bytes (<c>Chat:MaxQueuedBytes</c>).</summary>
    public long MaxBytes => _maxBytes;

    /// <summary>Bytes queued and not yet sent.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>Completes with the reason once something asked this connection to close.</summary>
    public Task<CloseReason> CloseRequested => _closeRequested.Task;

    public bool IsClosing => _closeRequested.Task.IsCompleted;

    /// <summary>
    /// For fan-out and the writer's answers: never waits; a frame that does not fit closes the
    /// connection as a slow consumer (a frame alone in an empty queue always fits).
    /// </summary>
    /// <returns>false when the frame was not queued.</returns>
    public bool TryEnqueue(ReadOnlyMemory<byte> frame)
    {
        var after = Interlocked.Add(ref _queuedBytes, frame.Length);
        if (after > _maxBytes && after != frame.Length)
        {
            Interlocked.Add(ref _queuedBytes, -frame.Length);
            RequestClose(CloseReason.SlowConsumer);
            return false;
        }

        if (!_channel.Writer.TryWrite(frame))
        {
            Interlocked.Add(ref _queuedBytes, -frame.Length); // closed: nowhere to go
            return false;
        }

        return true;
    }

    /// <summary>For the connection's own answers (replies, replays): waits until the frame fits.</summary>
    public async ValueTask EnqueueAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        while (true)
        {
            Task roomMade;
            lock (_gate)
            {
                if (Fits(frame.Length))
                {
                    break;
                }

                _roomWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                roomMade = _roomWaiter.Task;
            }

            // The send loop may have made room between the check and setting the waiter.
            if (Fits(frame.Length))
            {
                continue;
            }

            try
            {
                await roomMade.WaitAsync(_stallTimeout, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                RequestClose(CloseReason.SlowConsumer); // it took nothing for a whole stall timeout
                return;
            }

            if (_completed)
            {
                return;
            }
        }

        Interlocked.Add(ref _queuedBytes, frame.Length);
        if (!_channel.Writer.TryWrite(frame))
        {
            Interlocked.Add(ref _queuedBytes, -frame.Length); // the connection is closing; the frame has nowhere to go
        }
    }

    /// <summary>The send loop sent a frame of <paramref name="length"/> bytes: its room is free again.</summary>
    public void Sent(int length)
    {
        Interlocked.Add(ref _queuedBytes, -length);
        if (Volatile.Read(ref _roomWaiter) is not null)
        {
            WakeWaiter();
        }
    }

    /// <summary>
    /// The first reason wins; later requests are ignored. A slow consumer's queue is shut at once;
    /// for every other reason the connection shuts it once the work in hand is answered, so an
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
    public void Complete()
    {
        _completed = true;
        _channel.Writer.TryComplete();
        WakeWaiter();
    }

    private bool Fits(int length)
    {
        var queued = Interlocked.Read(ref _queuedBytes);
        return queued == 0 || queued + length <= _maxBytes || _completed;
    }

    private void WakeWaiter()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            waiter = _roomWaiter;
            _roomWaiter = null;
        }

        waiter?.TrySetResult();
    }
}
