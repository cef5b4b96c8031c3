using RawChat.Core.Presence;

namespace RawChat.Core.Protocol;

/// <summary>The opt-in frames: who is online, presence events and typing (README, "Presence and typing").</summary>
public static partial class ServerFrames
{
    /// <summary><c>{"type":"presence","room":r,"users":[{"user":…,"userId":…}, …]}</c></summary>
    public static byte[] PresenceList(string room, IReadOnlyList<PresenceUser> users) =>
        Write((room, users), static (w, s) =>
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
    public static byte[] PresenceEvent(string room, PresenceChange change, PresenceUser user) =>
        Write((room, change, user), static (w, s) =>
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
        Write((room, user), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "typing"u8);
            w.WriteString("room"u8, s.room);
            w.WriteString("user"u8, s.user.Name);
            w.WriteString("userId"u8, s.user.UserId);
            w.WriteEndObject();
        });
}
