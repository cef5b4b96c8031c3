using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Encodings.Web;
using System.Text.Json;
using RawChat.Api.Http;
using RawChat.Core.Protocol;
using RawChat.Core.Rooms;

namespace RawChat.Api.Rooms;

// The JSON bodies of the rooms API (docs/protocol.md §14), written by System.Text.Json in camelCase; the
// OpenAPI document learns their shape from the same records. Times are written as message timestamps are.

[Description("A room.")]
internal sealed record RoomBody(
    [property: Required] string Room,
    [property: Required, Description("open, private or direct.")] string Kind,
    string? Topic,
    [property: Description("The creator's user id; null for an implicit open room and a direct room.")] string? CreatedBy,
    [property: Description("RFC 3339, UTC, six fractional digits; null for an implicit open room.")] string? CreatedAt,
    [property: Required, Description("One post per this many seconds per user; 0: off.")] int SlowModeSeconds)
{
    public static RoomBody Of(RoomRecord room) =>
        new(room.Room, room.Kind, room.Topic, room.CreatedBy, Time(room.CreatedAt), room.SlowModeSeconds);

    public static string? Time(DateTime? at) => at is { } time ? ServerFrames.FormatTimestamp(time) : null;
}

[Description("A member of a room.")]
internal sealed record MemberBody(
    [property: Required] string Room,
    [property: Required] string UserId,
    [property: Required, Description("The display name of the user's last token; the user id until they connect.")] string Name,
    [property: Required, Description("owner, moderator or member.")] string Role)
{
    public static MemberBody Of(Member member) => new(member.Room, member.UserId, member.Name, member.Role);
}

[Description("A page of a room's members, by user id in byte order.")]
internal sealed record MemberPage(
    [property: Required] string Room,
    [property: Required] IReadOnlyList<MemberEntry> Members,
    [property: Required] bool HasMore);

[Description("One member in a page.")]
internal sealed record MemberEntry([property: Required] string UserId, [property: Required] string Name, [property: Required] string Role);

[Description("The rooms the caller is a member of.")]
internal sealed record MyRoomsPage([property: Required] IReadOnlyList<MyRoomEntry> Rooms, [property: Required] bool HasMore);

[Description("One of the caller's rooms.")]
internal sealed record MyRoomEntry(
    [property: Required] string Room,
    [property: Required] string Kind,
    string? Topic,
    [property: Required] string Role,
    [property: Required, Description("The room's newest seq; 0 before any message.")] long LastSeq,
    [property: Description("The newest message's timestamp; null before any message.")] string? LastMessageAt);

[Description("A ban.")]
internal sealed record BanBody(
    [property: Required] string Room,
    [property: Required] string UserId,
    [property: Required] string Reason,
    [property: Description("Null: until lifted.")] string? ExpiresAt,
    [property: Required] string BannedBy,
    [property: Required] string BannedAt)
{
    public static BanBody Of(Sanction s) => new(s.Room, s.UserId, s.Reason!, RoomBody.Time(s.ExpiresAt), s.By, RoomBody.Time(s.At)!);
}

[Description("A mute.")]
internal sealed record MuteBody(
    [property: Required] string Room,
    [property: Required] string UserId,
    string? Reason,
    [property: Description("Null: until lifted.")] string? ExpiresAt,
    [property: Required] string MutedBy,
    [property: Required] string MutedAt)
{
    public static MuteBody Of(Sanction s) => new(s.Room, s.UserId, s.Reason, RoomBody.Time(s.ExpiresAt), s.By, RoomBody.Time(s.At)!);
}

[Description("A page of a room's moderation audit, newest first.")]
internal sealed record AuditPage([property: Required] string Room, [property: Required] IReadOnlyList<AuditBody> Entries,
    [property: Required] bool HasMore);

[Description("One moderation action.")]
internal sealed record AuditBody(
    [property: Required] long Id,
    [property: Required] string At,
    [property: Required] string Actor,
    [property: Required, Description("room.create, room.update, member.add, member.remove, member.role, ban, unban, mute, unmute.")] string Action,
    string? Target,
    string? Reason,
    [property: Description("What else the action changed (a role, a slow mode, an expiry).")] JsonElement? Details);

/// <summary>Writes the bodies above as the API's answers.</summary>
internal static class RoomAnswers
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // text leaves as UTF-8, like the socket's frames
    };

    public static JsonAnswer Ok<T>(T body) => new(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(body, Json));

    public static JsonAnswer Created<T>(T body) => new(StatusCodes.Status201Created, JsonSerializer.SerializeToUtf8Bytes(body, Json));

    public static Refusal Forbidden(string detail) => new(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, detail);

    public static Refusal NotFound(string detail) => new(StatusCodes.Status404NotFound, ErrorCodes.NotFound, detail);

    public static Refusal Unavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "storage is unavailable; retry later") { RetryAfterSeconds = 2 };
}
