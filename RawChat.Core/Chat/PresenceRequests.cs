using Microsoft.Extensions.Logging;
using RawChat.Core.Presence;
using RawChat.Core.Protocol;
using StackExchange.Redis;

namespace RawChat.Core.Chat;

/// <summary>
/// The opt-in <c>presence</c> and <c>typing</c> frames. Both need a valid room that the token
/// allows and that the connection has joined (<c>room</c> defaults to the connection's room).
/// Typing beyond its own rate limit is dropped without an answer.
/// </summary>
public sealed partial class PresenceRequests(PresenceTracker presence, ILogger<PresenceRequests> logger)
{
    /// <returns>null when answered, else the error code to refuse the frame with.</returns>
    public async Task<string?> HandleAsync(ChatConnection connection, ClientFrame frame, CancellationToken ct)
    {
        var room = frame.Room ?? connection.DefaultRoom;
        var refusal = !RoomName.IsValid(room) ? ErrorCodes.InvalidRoom
            : !connection.User.Rooms.Allows(room) ? ErrorCodes.ForbiddenRoom
            : !connection.Rooms.TryGetValue(room, out var membership) ? ErrorCodes.NotJoined
            : membership.IsRevoked ? ErrorCodes.ForbiddenRoom // taken out of the room by a moderator (docs/protocol.md §14.5)
            : null;
        if (refusal is not null)
        {
            return refusal;
        }

        if (frame.Type == ClientFrameType.Typing)
        {
            if (connection.TypingRate.TryTake())
            {
                presence.Typing(connection.User, connection.Outbox, room);
            }

            return null;
        }

        if (!presence.IsAvailable)
        {
            return ErrorCodes.Unavailable;
        }

        try
        {
            await presence.AnswerAsync(connection.Outbox, room, frame.Subscribe, ct).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogPresenceFailed(logger, e, connection.Id, room);
            return ErrorCodes.Unavailable;
        }
    }

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: reading presence of room {Room} from Redis failed")]
    private static partial void LogPresenceFailed(ILogger logger, Exception error, string connectionId, string room);
}
