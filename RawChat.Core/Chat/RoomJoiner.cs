using Microsoft.Extensions.Options;
using RawChat.Core.Fanout;
using RawChat.Core.Presence;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Core.Chat;

/// <summary>
/// Joins and leaves rooms as PROTOCOL §3.3 says. The order is what makes the switch-over safe:
/// attach to the room (live frames start to be held), then read the store, send what it
/// returned, then release the held frames above it.
/// </summary>
public sealed class RoomJoiner(ConnectionRegistry registry, MessageStore store, PresenceTracker presence,
    IOptions<ChatOptions> options)
{
    private readonly ChatOptions _options = options.Value;
    private readonly SemaphoreSlim _replays = new(options.Value.MaxConcurrentReplays);

    /// <summary>Joins a room: attach, then history or replay, then live (PROTOCOL §3.3).</summary>
    public async Task JoinAsync(ChatConnection connection, string room, long? since, CancellationToken ct)
    {
        var isNew = !connection.Rooms.ContainsKey(room);
        var membership = await AttachAsync(connection, room, ct).ConfigureAwait(false);
        try
        {
            await CatchUpAsync(connection, membership, since, answerJoin: true, ct).ConfigureAwait(false);
        }
        catch when (isNew)
        {
            await LeaveAsync(connection, room).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Puts the connection in the room with live frames held back. At connect this runs before
    /// the upgrade, so nothing posted after the client sees its socket open can pass it by.
    /// </summary>
    public async Task<RoomMembership> AttachAsync(ChatConnection connection, string room, CancellationToken ct)
    {
        if (connection.Rooms.TryGetValue(room, out var membership))
        {
            membership.HoldLive();
            return membership;
        }

        membership = new RoomMembership(connection.Outbox, room, _options.OutboxCapacity);
        membership.Hub = await registry.AttachAsync(room, membership, ct).ConfigureAwait(false);
        connection.Rooms[room] = membership;
        await presence.EnterAsync(connection, room).ConfigureAwait(false);
        return membership;
    }

    /// <summary>
    /// Sends what the client asked for — <c>joined</c> and history, or the replay after
    /// <paramref name="since"/> — then releases the held live frames above it.
    /// </summary>
    /// <param name="answerJoin">false at connect: the connect join sends nothing unasked.</param>
    public async Task CatchUpAsync(ChatConnection connection, RoomMembership membership, long? since, bool answerJoin,
        CancellationToken ct)
    {
        var room = membership.Room;
        if (answerJoin)
        {
            await connection.Outbox.EnqueueAsync(ServerFrames.Joined(room), ct).ConfigureAwait(false);
        }

        var (frames, replayedThrough) = since is not null || answerJoin
            ? await ReadCatchUpAsync(room, since, ct).ConfigureAwait(false)
            : ([], 0);
        foreach (var frame in frames)
        {
            await connection.Outbox.EnqueueAsync(frame, ct).ConfigureAwait(false);
        }

        await membership.GoLiveAsync(replayedThrough, ct).ConfigureAwait(false);
    }

    /// <returns>false when the connection was not in the room.</returns>
    public async Task<bool> LeaveAsync(ChatConnection connection, string room)
    {
        if (!connection.Rooms.Remove(room, out var membership))
        {
            return false;
        }

        if (membership.Hub is { } hub)
        {
            await registry.DetachAsync(hub, membership).ConfigureAwait(false);
        }

        await presence.ExitAsync(connection, room).ConfigureAwait(false);
        return true;
    }

    public async Task LeaveAllAsync(ChatConnection connection)
    {
        foreach (var room in connection.Rooms.Keys.ToArray())
        {
            await LeaveAsync(connection, room).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads what a join or reconnect asked for, a bounded number at a time; the frames are sent
    /// after the slot is given back, so a client slow to read holds no slot.
    /// </summary>
    private async Task<(List<byte[]> Frames, long ReplayedThrough)> ReadCatchUpAsync(string room, long? since, CancellationToken ct)
    {
        await _replays.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return since is { } from
                ? await ReadReplayAsync(room, from, ct).ConfigureAwait(false)
                : await ReadHistoryAsync(room, ct).ConfigureAwait(false);
        }
        finally
        {
            _replays.Release();
        }
    }

    /// <returns>The frames, and the seq the replay brings the client up to.</returns>
    private async Task<(List<byte[]>, long)> ReadReplayAsync(string room, long since, CancellationToken ct)
    {
        var frames = new List<byte[]>();
        var lastSeq = await store.LastSeqAsync(room, ct).ConfigureAwait(false);
        var after = since;
        if (lastSeq - since > _options.ReplayCap)
        {
            var fromSeq = lastSeq - _options.ReplayCap + 1;
            frames.Add(ServerFrames.ReplayTruncated(room, fromSeq));
            after = fromSeq - 1;
        }

        var rows = await store.ReadAfterAsync(room, after, _options.ReplayCap, ct).ConfigureAwait(false);
        frames.AddRange(rows.Select(ServerFrames.Message));

        // A since past the room's end replays nothing and must not hide the messages still to come.
        return (frames, rows.Count > 0 ? rows[^1].Seq : Math.Min(since, lastSeq));
    }

    private async Task<(List<byte[]>, long)> ReadHistoryAsync(string room, CancellationToken ct)
    {
        if (_options.HistoryOnJoin <= 0)
        {
            return ([], await store.LastSeqAsync(room, ct).ConfigureAwait(false));
        }

        var page = await store.ReadPageAsync(room, before: null, _options.HistoryOnJoin, ct).ConfigureAwait(false);
        return ([ServerFrames.History(room, page.Messages, page.HasMore)],
            page.Messages.Count > 0 ? page.Messages[^1].Seq : 0);
    }
}
