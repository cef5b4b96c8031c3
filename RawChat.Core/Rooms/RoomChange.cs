using System.Text.Json;
using RawChat.Core.Protocol;

namespace RawChat.Core.Rooms;

/// <summary>
/// A change to a room announced on the control channel (docs/protocol.md §14.7): which room, which user (null: the
/// whole room), what happened, the new role, and the seq it happened after. <see cref="Origin"/> is the node that
/// made it, which applied it already.
/// </summary>
public sealed record RoomChange(string Room, string? UserId, string Event, string? Role, long Seq, string Origin)
{
    // Events that are also member frames (docs/protocol.md §14.6).
    public const string Added = "added";
    public const string Removed = "removed";
    public const string Banned = "banned";
    public const string RoleChanged = "role";

    // Events that only change what nodes cache.
    public const string Unbanned = "unbanned";
    public const string Muted = "muted";
    public const string Unmuted = "unmuted";
    public const string Updated = "updated";
    public const string Created = "created";

    public bool IsMemberEvent => UserId is not null && Event is Added or Removed or Banned or RoleChanged;

    /// <summary>Changes after which a socket in the room may no longer be allowed there.</summary>
    public bool MayRevoke => Event is Removed or Banned or Created;

    public byte[] Encode() =>
        ServerFrames.Write(this, static (w, c) =>
        {
            w.WriteStartObject();
            w.WriteString("room"u8, c.Room);
            w.WriteString("userId"u8, c.UserId);
            w.WriteString("event"u8, c.Event);
            w.WriteString("role"u8, c.Role);
            w.WriteNumber("seq"u8, c.Seq);
            w.WriteString("origin"u8, c.Origin);
            w.WriteEndObject();
        });

    /// <summary>Reads a change; null for anything else published on the channel.</summary>
    public static RoomChange? TryDecode(byte[]? payload)
    {
        if (payload is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            var room = root.GetProperty("room").GetString();
            var kind = root.GetProperty("event").GetString();
            var origin = root.GetProperty("origin").GetString();
            if (!RoomName.IsValid(room) || kind is null || origin is null)
            {
                return null;
            }

            return new RoomChange(room!, root.GetProperty("userId").GetString(), kind, root.GetProperty("role").GetString(),
                root.GetProperty("seq").GetInt64(), origin);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
