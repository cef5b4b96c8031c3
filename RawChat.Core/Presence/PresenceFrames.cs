using RawChat.Core.Protocol;

namespace RawChat.Core.Presence;

/// <summary>The opt-in frames: who is online, presence events and typing (docs/protocol.md §7).</summary>
public static class PresenceFrames
{
    /// <summary><c>{"type":"presence","room":r,"users":[{"user":…,"userId":…}, …]}</c></summary>
    public static byte[] List(string room, IReadOnlyList<PresenceUser> users) =>
        ServerFrames.Write((room, users), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "presence"u8);
            w.WriteString("room"u8, s.room);
            w.WriteStartArray("users"u8);
            foreach (var user in s.users)
            {
                w.WriteStartObject();
                w.WriteString("user"u8, user.Name);
                w.WriteString("userId"u8, user.UserId);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <summary><c>{"type":"presence","room":r,"event":"join"|"leave","user":…,"userId":…}</c></summary>
    public static byte[] Event(string room, PresenceChange change, PresenceUser user) =>
        ServerFrames.Write((room, change, user), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "presence"u8);
            w.WriteString("room"u8, s.room);
            w.WriteString("event"u8, s.change == PresenceChange.Join ? "join"u8 : "leave"u8);
            w.WriteString("user"u8, s.user.Name);
            w.WriteString("userId"u8, s.user.UserId);
            w.WriteEndObject();
        });

    /// <summary><c>{"type":"typing","room":r,"user":…,"userId":…}</c></summary>
    public static byte[] Typing(string room, PresenceUser user) =>
        ServerFrames.Write((room, user), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "typing"u8);
            w.WriteString("room"u8, s.room);
            w.WriteString("user"u8, s.user.Name);
            w.WriteString("userId"u8, s.user.UserId);
            w.WriteEndObject();
        });
}
