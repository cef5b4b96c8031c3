using RawChat.Core.Fanout;
using RawChat.Core.Protocol;

namespace RawChat.Core.Chat;

/// <summary>
/// One connection in one room. While a replay or history read is running, live frames wait in
/// a pending list; switching to live sends those above what the replay covered, so the
/// switch-over loses nothing and repeats nothing. The held frames are bounded in bytes: past
/// <paramref name="pendingLimitBytes"/> the client, too slow to take its replay, is a slow consumer.
/// A membership ends once: left by the client, or revoked by the server when the user may no longer be in the room
/// (docs/protocol.md §14.5); from then on it delivers nothing.
/// </summary>
/// <param name="connection">The connection it belongs to (null only in unit tests of delivery).</param>
public sealed class RoomMembership(ConnectionOutbox outbox, string room, long pendingLimitBytes, ChatConnection? connection = null)
    : IRoomMember
{
    private const int Active = 0;
    private const int Ended = 1;

    private readonly object _gate = new();
    private List<(long Seq, ReadOnlyMemory<byte> Frame)>? _pending = [];
    private long _pendingBytes;
    private long _lastSeq;
    private int _state;

    public string Room { get; } = room;

    public ChatConnection? Connection { get; } = connection;

    public RoomHub? Hub { get; set; }

    /// <summary>The server took the connection out of the room; posts there answer <c>forbidden_room</c>.</summary>
    public bool IsRevoked { get; private set; }

    public bool HasEnded => Volatile.Read(ref _state) == Ended;

    /// <summary>Ends the membership, once: true for the caller that ended it (and so detaches it).</summary>
    /// <param name="revoked">Ended by the server, not by the client's <c>leave</c>.</param>
    public bool TryEnd(bool revoked)
    {
        if (Interlocked.CompareExchange(ref _state, Ended, Active) != Active)
        {
            return false;
        }

        lock (_gate)
        {
            IsRevoked = revoked;
            _pending = null;
            _pendingBytes = 0;
        }

        return true;
    }

    public void Deliver(long seq, ReadOnlyMemory<byte> frame)
    {
        lock (_gate)
        {
            if (HasEnded)
            {
                return;
            }

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

    /// <summary>A frame outside the room's seq order (a <c>member</c> frame), unless the membership has ended.</summary>
    public void DeliverEvent(ReadOnlyMemory<byte> frame)
    {
        if (!HasEnded)
        {
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
                if (_pending is null || _pending.Count == 0 || Volatile.Read(ref _state) == Ended)
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
