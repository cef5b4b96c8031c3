using RawChat.Core.Protocol;

namespace RawChat.Core.Presence;

/// <summary>The heartbeat's part of <see cref="PresenceTracker"/>: refresh, put back what was lost, sweep.</summary>
public sealed partial class PresenceTracker
{
    /// <summary>
    /// The heartbeat: pushes this node's entries' expiry forward, sweeps expired entries (a crashed
    /// node's) and announces the users that left with them, and re-subscribes event channels that failed.
    /// </summary>
    public async Task HeartbeatAsync()
    {
        if (!_store.IsConnected)
        {
            return;
        }

        var refreshes = new List<Task>();
        string[] rooms;
        lock (_gate)
        {
            foreach (var (room, users) in _users)
            {
                byte[][] members = [.. users.Values.Select(u => u.Member)];
                refreshes.Add(RefreshAsync(room, Issue(() => _store.RefreshAsync(room, members))));
            }

            rooms = [.. _users.Keys];
        }

        await Task.WhenAll(refreshes).ConfigureAwait(false);
        await Task.WhenAll(rooms.Select(SweepAsync)).ConfigureAwait(false);
        foreach (var room in _subscribers.Keys)
        {
            await ReconcileQuietlyAsync(room).ConfigureAwait(false);
        }
    }

    /// <summary>Entries the refresh had to put back get the join their users may have missed.</summary>
    private async Task RefreshAsync(string room, Task<IReadOnlyList<byte[]>> refreshing)
    {
        try
        {
            var back = await refreshing.ConfigureAwait(false);
            var entering = new List<Task>();
            lock (_gate)
            {
                foreach (var member in back)
                {
                    // Only a user still held here: one who left meanwhile had its entry removed after this refresh.
                    if (PresenceEntry.TryDecode(member, out var user) && _users.TryGetValue(room, out var users)
                        && users.TryGetValue(user.UserId, out var local) && local.Member.AsSpan().SequenceEqual(member))
                    {
                        entering.Add(EnterLocked(room, local));
                    }
                }
            }

            await Task.WhenAll(entering).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogRedisFailed(_logger, e, room);
        }
    }

    private async Task SweepAsync(string room)
    {
        try
        {
            foreach (var user in await _store.SweepAsync(room).ConfigureAwait(false))
            {
                var leave = PresenceFrames.Event(room, PresenceChange.Leave, user);
                DeliverLocal(room, leave, except: null);
                await _store.PublishAsync(room, Envelope(leave)).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            LogRedisFailed(_logger, e, room);
        }
    }
}
