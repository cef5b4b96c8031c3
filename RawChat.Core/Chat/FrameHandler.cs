using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RawChat.Core.Auth;
using RawChat.Core.Observability;
using RawChat.Core.Protocol;
using RawChat.Core.Quotas;
using RawChat.Core.Rooms;
using RawChat.Core.Storage;

namespace RawChat.Core.Chat;

/// <summary>
/// Answers one client frame (docs/protocol.md §2). Every refusal is an <c>error</c> frame and the
/// connection stays open; only sustained abuse closes it. Every frame counts toward the frame
/// budget, posts also toward the connection's posting budget and then its user's, across the
/// cluster (<see cref="PostQuota"/>, decided from memory). A post is handed to the writer and answered
/// from there (<see cref="SocketPost"/>): the next frame is read meanwhile.
/// </summary>
public sealed partial class FrameHandler(
    RoomJoiner joiner,
    MessagePoster poster,
    MessageStore store,
    PresenceRequests presence,
    RoomGuard guard,
    PostQuota userPosts,
    IChatMetrics metrics,
    IOptions<ChatOptions> options,
    ILogger<FrameHandler> logger)
{
    private readonly ChatOptions _options = options.Value;

    /// <param name="parsed">The frame as <see cref="ClientFrameParser"/> read it (or the error it earned).</param>
    public async Task HandleAsync(ChatConnection connection, ClientFrameParseResult parsed, CancellationToken ct)
    {
        if (!connection.FrameRate.TryTake())
        {
            await RateLimitedAsync(connection, parsed.ClientMsgId, ct).ConfigureAwait(false);
            return;
        }

        if (parsed.Frame is not { } frame)
        {
            await ErrorAsync(connection, parsed.ErrorCode!, parsed.ClientMsgId, ct).ConfigureAwait(false);
            return;
        }

        switch (frame.Type)
        {
            case ClientFrameType.Send:
                await PostAsync(connection, frame, ct).ConfigureAwait(false);
                break;
            case ClientFrameType.Join:
                await JoinAsync(connection, frame, ct).ConfigureAwait(false);
                break;
            case ClientFrameType.Leave:
                await LeaveAsync(connection, frame, ct).ConfigureAwait(false);
                break;
            case ClientFrameType.History:
                await HistoryAsync(connection, frame, ct).ConfigureAwait(false);
                break;
            case ClientFrameType.Ping:
                await connection.Outbox.EnqueueAsync(ServerFrames.Pong, ct).ConfigureAwait(false);
                break;
            case ClientFrameType.Hello:
                await HelloAsync(connection, frame, ct).ConfigureAwait(false);
                break;
            case ClientFrameType.Presence or ClientFrameType.Typing:
                if (await presence.HandleAsync(connection, frame, ct).ConfigureAwait(false) is { } refusal)
                {
                    await ErrorAsync(connection, refusal, frame.ClientMsgId, ct).ConfigureAwait(false);
                }

                break;
        }
    }

    private async Task PostAsync(ChatConnection connection, ClientFrame frame, CancellationToken ct)
    {
        var id = frame.ClientMsgId;
        if (!connection.PostRate.TryTake() || !userPosts.TryTake(connection.UserPosts))
        {
            await RateLimitedAsync(connection, id, ct).ConfigureAwait(false);
            return;
        }

        var room = frame.Room ?? connection.DefaultRoom;
        var user = connection.User;
        var refusal = !RoomName.IsValid(room) ? ErrorCodes.InvalidRoom
            : !connection.Rooms.TryGetValue(room, out var membership) ? await NotJoinedAsync(user, room).ConfigureAwait(false)
            : membership.IsRevoked ? ErrorCodes.ForbiddenRoom
            : MessageText.Validate(frame.Message!, _options.MaxMessageLength);
        if (refusal is not null)
        {
            await ErrorAsync(connection, refusal, id, ct).ConfigureAwait(false);
            return;
        }

        // Muted, banned meanwhile, slow mode (docs/protocol.md §14.5): from this node's cache, PostgreSQL only on a miss.
        PostRefusal? roomRefusal;
        try
        {
            roomRefusal = await guard.RefusePostAsync(user, room).ConfigureAwait(false);
        }
        catch (Exception e) when (StorageFailures.IsReadFailure(e))
        {
            LogAccessFailed(logger, e, connection.Id, room);
            roomRefusal = new PostRefusal(ErrorCodes.Unavailable);
        }

        if (roomRefusal is not null)
        {
            await ErrorAsync(connection, roomRefusal.Code, id, ct, roomRefusal.RetryAfterMilliseconds).ConfigureAwait(false);
            return;
        }

        connection.BeginWork(); // answered (and ended) by the writer, even after a close was asked for
        poster.Submit(new SocketPost(connection, new NewMessage(room, user.UserId, user.Name, frame.Message!, id), poster, metrics));
    }

    /// <summary>A post to a room the connection is not in: <c>forbidden_room</c> when it may not be there at all.</summary>
    private async ValueTask<string> NotJoinedAsync(ChatUser user, string room)
    {
        try
        {
            return await guard.RefuseReadAsync(user, room).ConfigureAwait(false) ?? ErrorCodes.NotJoined;
        }
        catch (Exception e) when (StorageFailures.IsReadFailure(e))
        {
            return ErrorCodes.NotJoined;
        }
    }

    /// <summary>Turns on the features asked for that this server has, and says which (docs/protocol.md §14.2).</summary>
    private async Task HelloAsync(ChatConnection connection, ClientFrame frame, CancellationToken ct)
    {
        var granted = frame.Features!.Where(f => ConnectionFeatureNames.Parse(f) != ConnectionFeatures.None).Distinct().ToList();
        foreach (var feature in granted)
        {
            connection.AddFeatures(ConnectionFeatureNames.Parse(feature));
        }

        await connection.Outbox.EnqueueAsync(RoomFrames.Hello(granted), ct).ConfigureAwait(false);
    }

    /// <summary>Refuses a frame over a budget; refusals without a quiet second between reaching the strike limit close the connection 1008.</summary>
    private async Task RateLimitedAsync(ChatConnection connection, string? clientMsgId, CancellationToken ct)
    {
        if (connection.RateLimitStrikes.Strike(_options.RateLimitStrikes))
        {
            connection.Outbox.RequestClose(CloseReason.PolicyViolation);
            return;
        }

        await ErrorAsync(connection, ErrorCodes.RateLimited, clientMsgId, ct).ConfigureAwait(false);
    }

    private async Task JoinAsync(ChatConnection connection, ClientFrame frame, CancellationToken ct)
    {
        var room = frame.Room!;
        if (connection.Rooms.TryGetValue(room, out var ended) && ended.HasEnded)
        {
            connection.Rooms.Remove(room); // taken out by the server: this join decides afresh
        }

        var refusal = !RoomName.IsValid(room) ? ErrorCodes.InvalidRoom
            : !connection.User.Rooms.Allows(room) ? ErrorCodes.ForbiddenRoom
            : !connection.Rooms.ContainsKey(room) && connection.Rooms.Count >= _options.MaxRoomsPerConnection
                ? ErrorCodes.TooManyRooms
            : null;
        if (refusal is not null)
        {
            await ErrorAsync(connection, refusal, frame.ClientMsgId, ct).ConfigureAwait(false);
            return;
        }

        try
        {
            if (await guard.RefuseReadAsync(connection.User, room).ConfigureAwait(false) is { } forbidden)
            {
                await ErrorAsync(connection, forbidden, frame.ClientMsgId, ct).ConfigureAwait(false);
                return;
            }

            await joiner.JoinAsync(connection, room, frame.Since, ct).ConfigureAwait(false);
        }
        catch (ReadsBusyException)
        {
            await ErrorAsync(connection, ErrorCodes.RateLimited, frame.ClientMsgId, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (StorageFailures.IsReadFailure(e))
        {
            LogJoinFailed(logger, e, connection.Id, room);
            await ErrorAsync(connection, ErrorCodes.Unavailable, frame.ClientMsgId, ct).ConfigureAwait(false);
        }
    }

    private async Task LeaveAsync(ChatConnection connection, ClientFrame frame, CancellationToken ct)
    {
        var room = frame.Room!;
        if (!RoomName.IsValid(room))
        {
            await ErrorAsync(connection, ErrorCodes.InvalidRoom, frame.ClientMsgId, ct).ConfigureAwait(false);
            return;
        }

        if (!await joiner.LeaveAsync(connection, room).ConfigureAwait(false))
        {
            await ErrorAsync(connection, ErrorCodes.NotJoined, frame.ClientMsgId, ct).ConfigureAwait(false);
            return;
        }

        await connection.Outbox.EnqueueAsync(ServerFrames.Left(room), ct).ConfigureAwait(false);
    }

    private async Task HistoryAsync(ChatConnection connection, ClientFrame frame, CancellationToken ct)
    {
        var room = frame.Room ?? connection.DefaultRoom;
        var refusal = !RoomName.IsValid(room) ? ErrorCodes.InvalidRoom
            : !connection.User.Rooms.Allows(room) ? ErrorCodes.ForbiddenRoom
            : null;
        if (refusal is not null)
        {
            await ErrorAsync(connection, refusal, frame.ClientMsgId, ct).ConfigureAwait(false);
            return;
        }

        List<StoredMessage> candidates;
        var limit = frame.Limit ?? 50;
        try
        {
            if (await guard.RefuseReadAsync(connection.User, room).ConfigureAwait(false) is { } forbidden)
            {
                await ErrorAsync(connection, forbidden, frame.ClientMsgId, ct).ConfigureAwait(false);
                return;
            }

            candidates = await store.ReadPageAsync(room, frame.Before, limit, _options.MaxPageBytes, ReadAdmission.RefuseWhenBusy, ct)
                .ConfigureAwait(false);
        }
        catch (ReadsBusyException)
        {
            await ErrorAsync(connection, ErrorCodes.RateLimited, frame.ClientMsgId, ct).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (StorageFailures.IsReadFailure(e))
        {
            LogHistoryFailed(logger, e, connection.Id, room);
            await ErrorAsync(connection, ErrorCodes.Unavailable, frame.ClientMsgId, ct).ConfigureAwait(false);
            return;
        }

        await connection.Outbox.EnqueueAsync(ServerFrames.History(room, candidates, limit, _options.MaxPageBytes), ct)
            .ConfigureAwait(false);
    }

    private ValueTask ErrorAsync(ChatConnection connection, string code, string? clientMsgId, CancellationToken ct,
        long? retryAfter = null)
    {
        metrics.FrameRefused(code);
        if (code == ErrorCodes.Unavailable)
        {
            connection.DependencyFailed = true; // a stall of the server's, not the client's (see ChatSocket)
        }

        return connection.Outbox.EnqueueAsync(ServerFrames.Error(code, ErrorMessages.Describe(code), clientMsgId, retryAfter), ct);
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: joining room {Room} failed")]
    private static partial void LogJoinFailed(ILogger logger, Exception error, string connectionId, string room);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: reading who may post in room {Room} failed")]
    private static partial void LogAccessFailed(ILogger logger, Exception error, string connectionId, string room);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: reading history of room {Room} failed")]
    private static partial void LogHistoryFailed(ILogger logger, Exception error, string connectionId, string room);
}
