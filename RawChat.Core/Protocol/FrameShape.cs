using System.Text.Json;
using System.Text.Unicode;

namespace RawChat.Core.Protocol;

/// <summary>
/// Whether bytes that came from Redis are a frame <see cref="ServerFrames"/> writes, for the room
/// (and seq) they came for, before they go to sockets unchanged: valid UTF-8 (a browser fails the
/// whole connection on a text frame that is not), exactly one JSON object, and every field a client
/// reads present once, of its kind. Fields this version does not know are let through when they
/// are valid JSON, so a newer node's frames still pass during a rolling upgrade. One pass over the
/// bytes, no allocation. A frame larger than any RawChat writes is refused unread: one frame past
/// a socket's outbox bound would close every socket in the room as a slow consumer.
/// </summary>
internal static class FrameShape
{
    /// <summary>
    /// Larger than any frame RawChat writes: 4,000 code points of text escaped at most 6 bytes each,
    /// a 256-code-point name, ids and the JSON around them come to under 32 KiB.
    /// </summary>
    internal const int MaxFrameBytes = 64 * 1024;

    [Flags]
    private enum Field
    {
        None = 0,
        Type = 1 << 0,
        Room = 1 << 1,
        User = 1 << 2,
        UserId = 1 << 3,
        Seq = 1 << 4,
        Id = 1 << 5,
        Text = 1 << 6,
        Timestamp = 1 << 7,
        ClientMsgId = 1 << 8,
        Event = 1 << 9,
    }

    private enum Kind
    {
        Message,
        Presence,
    }

    private const Field MessageFields = Field.Type | Field.Room | Field.User | Field.UserId | Field.Seq | Field.Id | Field.Text | Field.Timestamp;
    private const Field TypingFields = Field.Type | Field.Room | Field.User | Field.UserId;
    private const Field PresenceFields = TypingFields | Field.Event;

    /// <summary>A <c>message</c> frame of <paramref name="room"/> carrying <paramref name="seq"/>.</summary>
    public static bool IsMessage(ReadOnlySpan<byte> frame, string room, long seq) =>
        Check(frame, Kind.Message, room, seq);

    /// <summary>A presence event (<c>presence</c> with <c>event</c> join or leave) or a <c>typing</c> frame of <paramref name="room"/>.</summary>
    public static bool IsPresenceEvent(ReadOnlySpan<byte> frame, string room) =>
        Check(frame, Kind.Presence, room, seq: 0);

    private static bool Check(ReadOnlySpan<byte> frame, Kind kind, string room, long seq)
    {
        if (frame.Length > MaxFrameBytes || !Utf8.IsValid(frame))
        {
            return false;
        }

        var reader = new Utf8JsonReader(frame);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var seen = Field.None;
            var typing = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader, kind);
                reader.Read();
                if (field == Field.None)
                {
                    reader.Skip(); // a field this version does not know: any valid JSON
                    continue;
                }

                if ((seen & field) != 0 || !ValueFits(ref reader, field, kind, room, seq, ref typing))
                {
                    return false; // a repeated field (which one would a client read?) or a wrong value
                }

                seen |= field;
            }

            var required = kind == Kind.Message ? MessageFields : typing ? TypingFields : PresenceFields;
            var allowed = kind == Kind.Message ? required | Field.ClientMsgId : required;
            return (seen & required) == required && (seen & ~allowed) == 0
                && !reader.Read(); // nothing after the object (trailing bytes throw)
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Field FieldOf(ref Utf8JsonReader reader, Kind kind) =>
        reader.ValueTextEquals("type"u8) ? Field.Type
        : reader.ValueTextEquals("room"u8) ? Field.Room
        : reader.ValueTextEquals("user"u8) ? Field.User
        : reader.ValueTextEquals("userId"u8) ? Field.UserId
        : kind == Kind.Presence ? (reader.ValueTextEquals("event"u8) ? Field.Event : Field.None)
        : reader.ValueTextEquals("seq"u8) ? Field.Seq
        : reader.ValueTextEquals("id"u8) ? Field.Id
        : reader.ValueTextEquals("message"u8) ? Field.Text
        : reader.ValueTextEquals("timestamp"u8) ? Field.Timestamp
        : reader.ValueTextEquals("clientMsgId"u8) ? Field.ClientMsgId
        : Field.None;

    private static bool ValueFits(ref Utf8JsonReader reader, Field field, Kind kind, string room, long seq, ref bool typing)
    {
        switch (field)
        {
            case Field.Seq:
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value == seq;
            case Field.Id:
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out _);
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        switch (field)
        {
            case Field.Type when kind == Kind.Message:
                return reader.ValueTextEquals("message"u8);
            case Field.Type:
                typing = reader.ValueTextEquals("typing"u8);
                return typing || reader.ValueTextEquals("presence"u8);
            case Field.Room:
                return reader.ValueTextEquals(room);
            case Field.Event:
                return reader.ValueTextEquals("join"u8) || reader.ValueTextEquals("leave"u8);
            default:
                return true; // user, userId, message, timestamp, clientMsgId: any string
        }
    }
}
