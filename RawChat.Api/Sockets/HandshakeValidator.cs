using Microsoft.Extensions.Options;
using RawChat.Api.Auth;
using RawChat.Api.Http;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;
using RawChat.Core.Rooms;
using RawChat.Core.Storage;

namespace RawChat.Api.Sockets;

/// <summary>
/// The checks of docs/protocol.md §1 in their order; the first that applies answers. Everything here
/// happens before the upgrade, so a refused client gets plain HTTP, never a socket closed at once.
/// </summary>
internal sealed class HandshakeValidator(ConnectCredentials credentials, RoomGuard guard, IOptions<ChatOptions> options)
{
    private readonly ChatOptions _options = options.Value;

    /// <returns>The handshake, or the refusal to answer with.</returns>
    public async Task<(ChatHandshake? Handshake, Refusal? Refusal)> ValidateAsync(HttpContext context, string? pathRoom)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Refuse(400, ErrorCodes.WebSocketRequired, "this endpoint speaks WebSocket only");
        }

        var query = context.Request.Query;
        var room = pathRoom;
        if (room is null)
        {
            room = query.TryGetValue("room", out var queryRoom) ? queryRoom[0] ?? "" : _options.DefaultRoom;
        }

        if (!RoomName.IsValid(room))
        {
            return Refuse(400, ErrorCodes.InvalidRoom, "room names are 1-64 characters of A-Z a-z 0-9 _ . : -");
        }

        long? since = null;
        if (query.TryGetValue("since", out var sinceText))
        {
            if (!DecimalParameter.TryParse(sinceText[0], 0, out var value))
            {
                return Refuse(400, ErrorCodes.InvalidSince, "since must be a decimal integer >= 0");
            }

            since = value;
        }

        var requested = context.WebSockets.WebSocketRequestedProtocols;
        var (user, refusal) = await credentials.ResolveAsync(context.Request, requested).ConfigureAwait(false);
        if (user is null)
        {
            return (null, refusal);
        }

        if (!user.Rooms.Allows(room))
        {
            return Refuse(403, ErrorCodes.ForbiddenRoom, "your token does not allow this room");
        }

        try
        {
            // A private room's non-members, a banned user (docs/protocol.md §14.1): from the node's cache, PostgreSQL on a miss.
            if (await guard.RefuseReadAsync(user, room).ConfigureAwait(false) is not null)
            {
                return Refuse(403, ErrorCodes.ForbiddenRoom, "you may not use this room");
            }
        }
        catch (Exception e) when (StorageFailures.IsReadFailure(e))
        {
            return (null, new Refusal(503, ErrorCodes.Unavailable, "storage is unavailable; retry later") { RetryAfterSeconds = 2 });
        }

        var origin = context.Request.Headers.Origin.ToString();
        if (_options.AllowedOrigins.Length > 0 && origin.Length > 0
            && !_options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            return Refuse(403, ErrorCodes.ForbiddenOrigin, "this origin is not allowed");
        }

        var subprotocol = requested.Contains(TokenSources.ChatSubprotocol) ? TokenSources.ChatSubprotocol : null;
        return (new ChatHandshake(user, room, since, subprotocol), null);
    }

    private static (ChatHandshake?, Refusal?) Refuse(int status, string code, string detail) =>
        (null, new Refusal(status, code, detail));
}
