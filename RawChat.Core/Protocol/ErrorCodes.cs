namespace RawChat.Core.Protocol;

/// <summary>The <c>error</c> codes of docs/protocol.md §1 and §2.2, spelled in one place.</summary>
public static class ErrorCodes
{
    // Frame errors (§2.2)
    public const string InvalidJson = "invalid_json";
    public const string InvalidFrame = "invalid_frame";
    public const string UnknownType = "unknown_type";
    public const string MessageEmpty = "message_empty";
    public const string MessageTooLong = "message_too_long";
    public const string InvalidRoom = "invalid_room";
    public const string ForbiddenRoom = "forbidden_room";
    public const string NotJoined = "not_joined";
    public const string RateLimited = "rate_limited";
    public const string ReplayTruncated = "replay_truncated";
    public const string TooManyRooms = "too_many_rooms";
    public const string Unavailable = "unavailable";

    // HTTP refusals (§1, §5)
    public const string WebSocketRequired = "websocket_required";
    public const string InvalidSince = "invalid_since";
    public const string InvalidToken = "invalid_token";
    public const string ForbiddenOrigin = "forbidden_origin";
    public const string OverCapacity = "over_capacity";

    /// <summary>429: the user holds <c>Quotas:MaxConnectionsPerUser</c> sockets across all nodes already.</summary>
    public const string TooManyConnections = "too_many_connections";
    public const string InvalidParameter = "invalid_parameter";

    // Server-side publish (POST /api/rooms/{room}/messages)
    public const string Forbidden = "forbidden";
    public const string MessageTooBig = "message_too_big";

    // Rooms API (docs/protocol.md §14.3)
    public const string NotFound = "not_found";
    public const string RoomExists = "room_exists";
    public const string RoomFull = "room_full";
}
