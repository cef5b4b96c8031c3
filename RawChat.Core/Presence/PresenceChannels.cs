using StackExchange.Redis;

namespace RawChat.Core.Presence;

/// <summary>
/// The presence-event channels this node listens to: a room's while it has a presence subscriber
/// here. Reconciling is idempotent and serialised, so racing subscribes and unsubscribes end in
/// the state the last one saw.
/// </summary>
internal sealed class PresenceChannels(PresenceStore store, Func<string, bool> wanted, Action<string, byte[]> onEvent)
{
    private readonly Dictionary<string, ChannelMessageQueue> _channels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task ReconcileAsync(string room)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var want = wanted(room);
            if (want && !_channels.ContainsKey(room))
            {
                _channels[room] = await store.SubscribeAsync(room, onEvent).ConfigureAwait(false);
            }
            else if (!want && _channels.Remove(room, out var queue))
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
