using RawChat.Core.Fanout;
using RawChat.Core.Protocol;

namespace RawChat.Core.Chat;

/// <summary>
/// One connection in one room. While a replay or history read is running, live frames wait in
/// a pending list; switching to live sends those above what the replay covered, so the
/// switch-over loses nothing and repeats nothing. The held frames are bounded in bytes: past
/// <paramref name="pendingLimitBytes"/> the client, too slow to take its replay, is a slow consumer.
/// </summary>
public sealed class RoomMembership(ConnectionOutbox outbox, string room, long pendingLimitBytes) : IRoomMember
{
    private readonly object _gate = new();
    private List<(long Seq, ReadOnlyMemory<byte> Frame)>? _pending = [];
    private long _pendingBytes;
    private long _lastSeq;

    public string Room { get; } = room;

    public RoomHub? Hub { get; set; }

    public void Deliver(long seq, ReadOnlyMemory<byte> frame)
    {
        lock (_gate)
        {
            if (_pending is not null)
            {
                if (_pendingBytes + frame.Length > pendingLimitBytes)
                {
                    outbox.RequestClose(CloseReason.SlowConsumer);
                    return;
                }

                _pending.Add((seq, frame));
                _pendingBytes += frame.Length;
                return;
            }

            if (seq <= _lastSeq)
            {
                return;
            }

            _lastSeq = seq;
            outbox.TryEnqueue(frame);
        }
    }

    /// <summary>Holds live frames back again (a re-join that asks for history or a replay).</summary>
    public void HoldLive()
    {
        lock (_gate)
        {
            _pending ??= [];
        }
    }

    /// <summary>
    /// Ends the replay: sends the held frames above <paramref name="replayedThrough"/>, then lets
    /// live frames through.
    /// </summary>
    public async Task GoLiveAsync(long replayedThrough, CancellationToken ct)
    {
        var lastSeq = replayedThrough;
        while (true)
        {
            List<(long Seq, ReadOnlyMemory<byte> Frame)> batch;
            lock (_gate)
            {
                if (_pending is null || _pending.Count == 0)
                {
                    _pending = null;
                    _lastSeq = lastSeq;
                    return;
                }

                batch = _pending;
                _pending = [];
                _pendingBytes = 0;
            }

            foreach (var (seq, frame) in batch)
            {
                if (seq > lastSeq)
                {
                    lastSeq = seq;
                    await outbox.EnqueueAsync(frame, ct).ConfigureAwait(false);
                }
            }
        }
    }
}
