using RawChat.Core.Chat;
using RawChat.Core.Protocol;

namespace RawChat.Core.Presence;

/// <summary>
/// One connection subscribed to a room's presence events and typing. While its presence list is
/// being read and sent, events wait here, so none can be overtaken by a list read before it;
/// past <paramref name="heldLimitBytes"/> of them the client is a slow consumer.
/// </summary>
internal sealed class PresenceSubscriber(ChatConnection connection, long heldLimitBytes)
{
    private readonly object _gate = new();
    private List<ReadOnlyMemory<byte>>? _held = [];
    private long _heldBytes;

    public ChatConnection Connection { get; } = connection;

    public void Deliver(ReadOnlyMemory<byte> frame)
    {
        lock (_gate)
        {
            if (_held is null)
            {
                Connection.Outbox.TryEnqueue(frame);
            }
            else if (_heldBytes + frame.Length <= heldLimitBytes)
            {
                _held.Add(frame);
                _heldBytes += frame.Length;
            }
            else
            {
                Connection.Outbox.RequestClose(CloseReason.SlowConsumer);
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
                Connection.Outbox.TryEnqueue(frame);
            }

            _held = null;
            _heldBytes = 0;
        }
    }
}
