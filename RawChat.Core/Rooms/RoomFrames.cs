using RawChat.Core.Protocol;

namespace RawChat.Core.Rooms;

/// <summary>The server frames of docs/protocol.md §14: the answer to <c>hello</c>, <c>left</c> with a reason, <c>member</c>.</summary>
public static class RoomFrames
{
    /// <summary>The features a connection may ask for with <c>hello</c> (docs/protocol.md §14.2).</summary>
    public static readonly IReadOnlyList<string> Features = [ConnectionFeatureNames.Members];

    public static byte[] Hello(IEnumerable<string> granted) =>
        ServerFrames.Write(granted, static (w, features) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "hello"u8);
            w.WriteNumber("protocol"u8, 1);
            w.WriteStartArray("features"u8);
            foreach (var feature in features)
            {
                w.WriteStringValue(feature);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <param name="reason"><c>removed</c>, <c>banned</c> or <c>closed</c>.</param>
    public static byte[] Left(string room, string reason) =>
        ServerFrames.Write((room, reason), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "left"u8);
            w.WriteString("room"u8, s.room);
            w.WriteString("reason"u8, s.reason);
            w.WriteEndObject();
        });

    public static byte[] Member(RoomChange change) =>
        ServerFrames.Write(change, static (w, c) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "member"u8);
            w.WriteString("room"u8, c.Room);
            w.WriteString("userId"u8, c.UserId);
            w.WriteString("event"u8, c.Event);
            w.WriteString("role"u8, c.Role);
            w.WriteNumber("seq"u8, c.Seq);
            w.WriteEndObject();
        });
}

/// <summary>The features of <c>hello</c> a connection turned on (docs/protocol.md §14.2).</summary>
[Flags]
public enum ConnectionFeatures
{
    None = 0,

    /// <summary><c>member</c> frames and <c>left</c> with a reason.</summary>
    Members = 1,
}

/// <summary>Feature names as <c>hello</c> spells them.</summary>
public static class ConnectionFeatureNames
{
    public const string Members = "members";

    /// <summary>The feature a name turns on; <see cref="ConnectionFeatures.None"/> for a name this server does not know.</summary>
    public static ConnectionFeatures Parse(string name) => name == Members ? ConnectionFeatures.Members : ConnectionFeatures.None;
}
