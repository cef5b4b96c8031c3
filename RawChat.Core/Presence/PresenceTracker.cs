using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RawChat.Core.Auth;
using RawChat.Core.Fanout;
using RawChat.Core.Observability;
using RawChat.Core.Protocol;

namespace RawChat.Core.Presence;

/// <summary>
/// This node's side of presence: the users it holds in each room (one Redis entry per room and
/// user, however many sockets), the connections subscribed to a room's presence events, and the
/// room's event channel while any are. Redis calls are issued under one lock, so a refresh can
/// never overtake the leave that follows it. Presence is best effort: a Redis failure is logged
/// and never fails a join or a leave.
/// </summary>
public sealed partial class PresenceTracker
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<string, LocalUser>> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PresenceSubscriber[]> _subscribers = new(StringComparer.Ordinal);
    private readonly PresenceChannels _channels;
    private readonly PresenceStore _store;
    private readonly ILogger<PresenceTracker> _logger;
    private readonly EnvelopeGuard _guard;
    private readonly Func<string, byte[]?, bool> _deliverEvent;
    private readonly Guid _nodeId = Guid.NewGuid();
    private readonly string _nodeKey;

    public PresenceTracker(PresenceStore store, IChatMetrics metrics, ILogger<PresenceTracker> logger)
    {
        _store = store;
        _logger = logger;
        _guard = new EnvelopeGuard(EnvelopeGuard.PresenceChannel, metrics, logger);
        _deliverEvent = DeliverEvent;
        _nodeKey = _nodeId.ToString("N");
        _channels = new PresenceChannels(store, room => _subscribers.ContainsKey(room), OnEvent);
    }

    /// <summary>False while Redis is away: presence requests are then answered <c>unavailable</c>.</summary>
    public bool IsAvailable => _store.IsConnected;

    /// <summary>A connection entered a room; its user's first socket here claims the user for this node.</summary>
    public async Task EnterAsync(ChatUser user, string room)
    {
        Task? entering = null;
        lock (_gate)
        {
            if (!_users.TryGetValue(room, out var users))
            {
                _users[room] = users = new Dictionary<string, LocalUser>(StringComparer.Ordinal);
            }

            if (users.TryGetValue(user.UserId, out var local))
            {
                local.Sockets++;
            }
            else
            {
                var entry = new PresenceUser(user.UserId, user.Name);
                users[entry.UserId] = local = new LocalUser(entry, PresenceEntry.Encode(_nodeKey, entry));
                entering = EnterLocked(room, local);
            }
        }

        // Awaited while Redis is up, so a client whose join is answered is already listed.
        if (entering is not null && _store.IsConnected)
        {
            await entering.ConfigureAwait(false);
        }
    }

    /// <summary>A connection left a room (or closed): its subscription ends, and its user's last socket here gives up the claim.</summary>
    public async Task ExitAsync(ChatUser user, ConnectionOutbox outbox, string room)
    {
        Task? exiting = null;
        bool unsubscribed;
        lock (_gate)
        {
            unsubscribed = RemoveSubscriberLocked(room, outbox);
            if (_users.TryGetValue(room, out var users) && users.TryGetValue(user.UserId, out var local)
                && --local.Sockets == 0)
            {
                users.Remove(local.User.UserId);
                if (users.Count == 0)
                {
                    _users.Remove(room);
                }

                var leave = PresenceFrames.Event(room, PresenceChange.Leave, local.User);
                exiting = AnnounceAsync(Issue(() => _store.ExitAsync(room, local.Member, local.Prefix, Envelope(leave))), room, leave);
            }
        }

        if (unsubscribed)
        {
            await ReconcileQuietlyAsync(room).ConfigureAwait(false);
        }

        if (exiting is not null && _store.IsConnected)
        {
            await exiting.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Answers a presence request: subscribes (<c>true</c>) or unsubscribes (<c>false</c>) as
    /// asked, then sends the list. Events that arrive meanwhile follow the list.
    /// </summary>
    public async Task AnswerAsync(ConnectionOutbox outbox, string room, bool? subscribe, CancellationToken ct)
    {
        PresenceSubscriber? subscriber = null;
        var added = false;
        lock (_gate)
        {
            var existing = _subscribers.TryGetValue(room, out var list) ? Array.Find(list, s => s.Outbox == outbox) : null;
            if (existing is null && subscribe == true)
            {
                subscriber = new PresenceSubscriber(outbox);
                _subscribers[room] = [.. list ?? [], subscriber];
                added = true;
            }
            else if (existing is not null && subscribe == false)
            {
                RemoveSubscriberLocked(room, outbox);
            }
            else if (existing is not null)
            {
                subscriber = existing; // a subscriber asking again: events wait behind the new list too
                subscriber.Hold();
            }
        }

        try
        {
            await _channels.ReconcileAsync(room).ConfigureAwait(false);
            var users = await _store.ListAsync(room).ConfigureAwait(false);
            await outbox.EnqueueAsync(PresenceFrames.List(room, users), ct).ConfigureAwait(false);
        }
        catch when (added)
        {
            lock (_gate)
            {
                RemoveSubscriberLocked(room, outbox);
            }

            await ReconcileQuietlyAsync(room).ConfigureAwait(false);
            throw;
        }
        finally
        {
            subscriber?.Release();
        }
    }

    /// <summary>Sends a typing frame to the room's presence subscribers on every node but the typist's own socket.</summary>
    public void Typing(ChatUser user, ConnectionOutbox outbox, string room)
    {
        var frame = PresenceFrames.Typing(room, new PresenceUser(user.UserId, user.Name));
        DeliverLocal(room, frame, except: outbox);
        if (_store.IsConnected) // never queued for later: a stale typing frame is worse than none
        {
            _ = QuietlyAsync(Issue(() => _store.PublishAsync(room, Envelope(frame))), room);
        }
    }

    /// <summary>An envelope from the room's presence channel: only presence events and typing of that room reach sockets.</summary>
    private void OnEvent(string room, byte[] payload) => _guard.Handle(room, payload, _deliverEvent);

    private bool DeliverEvent(string room, byte[]? payload)
    {
        if (!PresenceEnvelope.TryDecode(payload, room, out var origin, out var frame))
        {
            return false;
        }

        if (origin != _nodeId)
        {
            DeliverLocal(room, frame, except: null); // this node served its own sockets already
        }

        return true;
    }

    private void DeliverLocal(string room, ReadOnlyMemory<byte> frame, ConnectionOutbox? except)
    {
        if (_subscribers.TryGetValue(room, out var subscribers))
        {
            foreach (var subscriber in subscribers)
            {
                if (subscriber.Outbox != except)
                {
                    subscriber.Deliver(frame);
                }
            }
        }
    }

    private bool RemoveSubscriberLocked(string room, ConnectionOutbox outbox)
    {
        if (!_subscribers.TryGetValue(room, out var list) || Array.Find(list, s => s.Outbox == outbox) is null)
        {
            return false;
        }

        var rest = Array.FindAll(list, s => s.Outbox != outbox);
        if (rest.Length == 0)
        {
            _subscribers.TryRemove(room, out _);
        }
        else
        {
            _subscribers[room] = rest;
        }

        return true;
    }

    private byte[] Envelope(byte[] frame) => PresenceEnvelope.Encode(_nodeId, frame);

    /// <summary>Claims the user for this node in Redis; issued under the lock, so it reaches Redis in order.</summary>
    private Task EnterLocked(string room, LocalUser local)
    {
        var join = PresenceFrames.Event(room, PresenceChange.Join, local.User);
        return AnnounceAsync(Issue(() => _store.EnterAsync(room, local.Member, local.Prefix, Envelope(join))), room, join);
    }

    /// <summary>Runs the join or leave script; when it published the event, this node's subscribers get it too.</summary>
    private async Task AnnounceAsync(Task<bool> script, string room, byte[] frame)
    {
        try
        {
            if (await script.ConfigureAwait(false))
            {
                DeliverLocal(room, frame, except: null);
            }
        }
        catch (Exception e)
        {
            LogRedisFailed(_logger, e, room);
        }
    }

    private async Task QuietlyAsync(Task task, string room)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogRedisFailed(_logger, e, room);
        }
    }

    private Task ReconcileQuietlyAsync(string room) => QuietlyAsync(_channels.ReconcileAsync(room), room);

    /// <summary>A Redis call that may also throw before it returns its task (e.g. at shutdown).</summary>
    private static Task<T> Issue<T>(Func<Task<T>> call)
    {
        try
        {
            return call();
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private static Task Issue(Func<Task> call)
    {
        try
        {
            return call();
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    [LoggerMessage(EventId = 230, Level = LogLevel.Warning, Message = "Presence in room {Room}: a Redis call failed; presence is best effort and catches up at the next heartbeat")]
    private static partial void LogRedisFailed(ILogger logger, Exception error, string room);

    /// <summary>A user held by this node in one room: their entry, and how many sockets here hold it.</summary>
    private sealed class LocalUser(PresenceUser user, byte[] member)
    {
        public PresenceUser User { get; } = user;

        public byte[] Member { get; } = member;

        public byte[] Prefix { get; } = PresenceEntry.UserPrefix(user.UserId);

        public int Sockets { get; set; } = 1;
    }
}
