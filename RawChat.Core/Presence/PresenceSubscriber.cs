using RawChat.Core.Fanout;
using RawChat.Core.Protocol;

namespace RawChat.Core.Presence;

/// <summary>
/// One connection subscribed to a room's presence events and typing. While its presence list is
/// being read and sent, events wait here, so none can be overtaken by a list read before it;
/// past the outbox's own bound in bytes of them the client is a slow consumer.
/// </summary>
internal sealed class PresenceSubscriber(ConnectionOutbox outbox)
{
    private readonly object _gate = new();
    private List<ReadOnlyMemory<byte>>? _held = [];
    private long _heldBytes;

    public ConnectionOutbox Outbox { get; } = outbox;

    public void Deliver(ReadOnlyMemory<byte> frame)
    {
        lock (_gate)
        {
            if (_held is null)
            {
                Outbox.TryEnqueue(frame);
            }
            else if (_heldBytes + frame.Length <= Outbox.MaxBytes)
            {
                _held.Add(frame);
                _heldBytes += frame.Length;
            }
            else
            {
                Outbox.RequestClose(CloseReason.SlowConsumer);
            }
        }
    }

    /// <summary>Holds events back again while a new list is read (a repeated subscribe).</summary>
    public void Hold()
    {
        lock (_gate)
        {
            _held ??= [];
        }
    }

    /// <summary>Sends what was held (the list is already queued), then lets events through.</summary>
    public void Release()
    {
        lock (_gate)
        {
            foreach (var frame in _held ?? [])
            {
                Outbox.TryEnqueue(frame);
            }

            _held = null;
            _heldBytes = 0;
        }
    }
}
