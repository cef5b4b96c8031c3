using Microsoft.Extensions.Options;
using RawChat.Core.Fanout;
using RawChat.Core.Presence;
using RawChat.Core.Protocol;
using RawChat.Core.Rooms;
using RawChat.Core.Storage;

namespace RawChat.Core.Chat;

/// <summary>
/// Joins and leaves rooms as docs/protocol.md §3.3 says. The order is what makes the switch-over safe:
/// attach to the room (live frames start to be held), then read the store, send what it
/// returned, then release the held frames above it. A replay is read a chunk at a time (rows
/// and bytes), the next chunk only once the outbox has room for it, so a client that reads
/// slowly holds at most a chunk and its outbox, never the whole replay.
/// </summary>
public sealed class RoomJoiner(LocalRooms registry, MessageStore store, PresenceTracker presence,
    IOptions<ChatOptions> options)
{
    private const int ReplayChunkRows = 100;

    private readonly ChatOptions _options = options.Value;

    /// <summary>Joins a room: attach, then history or replay, then live (docs/protocol.md §3.3).</summary>
    public async Task JoinAsync(ChatConnection connection, string room, long? since, CancellationToken ct)
    {
        var membership = await AttachAsync(connection, room, ct).ConfigureAwait(false);
        try
        {
            await CatchUpAsync(connection, membership, since, answerJoin: true, ct).ConfigureAwait(false);
        }
        catch
        {
            // A failed join leaves the client outside the room (its live frames were held back and
            // would never be released); the error it gets says to join again.
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
            if (!membership.HasEnded)
            {
                membership.HoldLive();
                return membership;
            }

            connection.Rooms.Remove(room); // the server took it out of the room; this join starts afresh
        }

        membership = new RoomMembership(connection.Outbox, room, _options.MaxQueuedBytes, connection);
        membership.Hub = await registry.AttachAsync(room, membership, ct).ConfigureAwait(false);
        connection.Rooms[room] = membership;
        await presence.EnterAsync(connection.User, room).ConfigureAwait(false);
        return membership;
    }

    /// <summary>
    /// Sends what the client asked for — <c>joined</c> and history, or the replay after
    /// <paramref name="since"/> — then releases the held live frames above it. A client's join is
    /// a client's read: its first read is refused when the read gate stays busy, before anything
    /// is sent (the rest of a replay then waits its turn). A connect's catch-up always waits.
    /// </summary>
    /// <param name="answerJoin">false at connect: the connect join sends nothing unasked.</param>
    public async Task CatchUpAsync(ChatConnection connection, RoomMembership membership, long? since, bool answerJoin,
        CancellationToken ct)
    {
        var room = membership.Room;
        var admission = answerJoin ? ReadAdmission.RefuseWhenBusy : ReadAdmission.WaitTurn;
        long replayedThrough;
        if (since is { } from)
        {
            var lastSeq = await store.LastSeqAsync(room, ct, admission).ConfigureAwait(false);
            await AnswerJoinAsync(connection, room, answerJoin, ct).ConfigureAwait(false);
            replayedThrough = await ReplayAsync(connection, room, from, lastSeq, ct).ConfigureAwait(false);
        }
        else if (answerJoin)
        {
            replayedThrough = await SendHistoryAsync(connection, room, ct).ConfigureAwait(false);
        }
        else
        {
            replayedThrough = 0;
        }

        await membership.GoLiveAsync(replayedThrough, ct).ConfigureAwait(false);
    }

    /// <returns>false when the connection was not in the room (or the server had taken it out).</returns>
    public async Task<bool> LeaveAsync(ChatConnection connection, string room)
    {
        if (!connection.Rooms.Remove(room, out var membership) || !membership!.TryEnd(revoked: false))
        {
            return false;
        }

        if (membership.Hub is { } hub)
        {
            await registry.DetachAsync(hub, membership).ConfigureAwait(false);
        }

        await presence.ExitAsync(connection.User, connection.Outbox, room).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Takes a connection out of a room it may no longer use (docs/protocol.md §14.5), from any thread: it receives
    /// nothing more from the room, and a connection that opted into <c>members</c> is told why. Its posts there answer
    /// <c>forbidden_room</c> until it joins again.
    /// </summary>
    /// <param name="hub">The hub the membership was found in.</param>
    public async Task RevokeAsync(RoomHub hub, RoomMembership membership, string reason)
    {
        if (membership.Connection is not { } connection || !membership.TryEnd(revoked: true))
        {
            return;
        }

        await registry.DetachAsync(hub, membership).ConfigureAwait(false);
        if (connection.HasFeature(ConnectionFeatures.Members))
        {
            connection.Outbox.TryEnqueue(RoomFrames.Left(membership.Room, reason));
        }

        await presence.ExitAsync(connection.User, connection.Outbox, membership.Room).ConfigureAwait(false);
    }

    public async Task LeaveAllAsync(ChatConnection connection)
    {
        foreach (var room in connection.Rooms.Keys.ToArray())
        {
            await LeaveAsync(connection, room).ConfigureAwait(false);
        }
    }

    private static ValueTask AnswerJoinAsync(ChatConnection connection, string room, bool answerJoin, CancellationToken ct) =>
        answerJoin ? connection.Outbox.EnqueueAsync(ServerFrames.Joined(room), ct) : ValueTask.CompletedTask;

    /// <summary>Sends every message after <paramref name="since"/> (the newest <c>ReplayCap</c> at most).</summary>
    /// <returns>The seq the replay brings the client up to.</returns>
    private async Task<long> ReplayAsync(ChatConnection connection, string room, long since, long lastSeq, CancellationToken ct)
    {
        var after = since;
        if (lastSeq - since > _options.ReplayCap)
        {
            var fromSeq = lastSeq - _options.ReplayCap + 1;
            await connection.Outbox.EnqueueAsync(ServerFrames.ReplayTruncated(room, fromSeq), ct).ConfigureAwait(false);
            after = fromSeq - 1;
        }

        // A since past the room's end replays nothing and must not hide the messages still to come.
        var replayedThrough = Math.Min(since, lastSeq);
        while (after < lastSeq)
        {
            var rows = await store.ReadAfterAsync(room, after, ReplayChunkRows, _options.MaxPageBytes, ct).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                break;
            }

            foreach (var row in rows)
            {
                await connection.Outbox.EnqueueAsync(ServerFrames.Message(row), ct).ConfigureAwait(false);
            }

            after = replayedThrough = rows[^1].Seq;
        }

        return replayedThrough;
    }

    /// <summary>
    /// Answers a join without <c>since</c>: <c>joined</c>, then the room's newest page
    /// (<c>HistoryOnJoin</c> messages at most) as one history frame.
    /// </summary>
    /// <returns>The newest seq it holds: the client is up to date to there.</returns>
    private async Task<long> SendHistoryAsync(ChatConnection connection, string room, CancellationToken ct)
    {
        if (_options.HistoryOnJoin <= 0)
        {
            var lastSeq = await store.LastSeqAsync(room, ct, ReadAdmission.RefuseWhenBusy).ConfigureAwait(false);
            await AnswerJoinAsync(connection, room, answerJoin: true, ct).ConfigureAwait(false);
            return lastSeq;
        }

        var candidates = await store.ReadPageAsync(room, before: null, _options.HistoryOnJoin, _options.MaxPageBytes,
            ReadAdmission.RefuseWhenBusy, ct).ConfigureAwait(false);
        await AnswerJoinAsync(connection, room, answerJoin: true, ct).ConfigureAwait(false);
        await connection.Outbox.EnqueueAsync(ServerFrames.History(room, candidates, _options.HistoryOnJoin, _options.MaxPageBytes), ct)
            .ConfigureAwait(false);
        return candidates.Count > 0 ? candidates[0].Seq : 0;
    }
}
