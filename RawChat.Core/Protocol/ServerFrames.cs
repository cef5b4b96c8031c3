using System.Buffers;
using System.Globalization;
using System.Text.Json;
using RawChat.Core.Storage;

namespace RawChat.Core.Protocol;

/// <summary>
/// Writes every server → client frame of docs/protocol.md §2.2 as UTF-8 bytes. A message frame is written
/// once and the same bytes go to every socket.
/// </summary>
public static partial class ServerFrames
{
    // All text leaves as UTF-8 (emoji too), escaped only where JSON requires it.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = MinimalJsonEncoder.Instance,
        SkipValidation = true,
    };

    public static readonly byte[] Pong = """{"type":"pong"}"""u8.ToArray();

    public static string FormatTimestamp(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static byte[] Message(StoredMessage message) =>
        Write(message, static (w, m) => WriteMessageObject(w, m));

    /// <summary>The message frame written right after <paramref name="header"/>, in one array.</summary>
    public static byte[] Message(ReadOnlySpan<byte> header, StoredMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(header);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteMessageObject(writer, message);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Ack(StoredMessage message, bool duplicate) =>
        Write((message, duplicate), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "ack"u8);
            w.WriteString("clientMsgId"u8, s.message.ClientMsgId);
            w.WriteNumber("id"u8, s.message.Id);
            w.WriteString("room"u8, s.message.Room);
            w.WriteNumber("seq"u8, s.message.Seq);
            w.WriteString("timestamp"u8, FormatTimestamp(s.message.CreatedAt));
            w.WriteBoolean("duplicate"u8, s.duplicate);
            w.WriteEndObject();
        });

    public static byte[] Joined(string room) => RoomFrame("joined"u8, room);

    public static byte[] Left(string room) => RoomFrame("left"u8, room);

    /// <summary>
    /// The <c>history</c> frame: from <paramref name="newestFirst"/> (a store read), the newest
    /// messages that fit in <paramref name="maxBytes"/> (always at least one) and
    /// <paramref name="limit"/>, oldest first. <c>hasMore</c>: a candidate was left out, so the room
    /// holds older messages than the first one sent.
    /// </summary>
    public static byte[] History(string room, IReadOnlyList<StoredMessage> newestFirst, int limit, int maxBytes) =>
        Page(room, newestFirst, limit, maxBytes, withType: true);

    /// <summary>The body of <c>GET /api/rooms/{room}/messages</c>: the history frame without its type.</summary>
    public static byte[] HistoryPage(string room, IReadOnlyList<StoredMessage> newestFirst, int limit, int maxBytes) =>
        Page(room, newestFirst, limit, maxBytes, withType: false);

    private static byte[] Page(string room, IReadOnlyList<StoredMessage> newestFirst, int limit, int maxBytes, bool withType)
    {
        var frames = new List<byte[]>(Math.Min(newestFirst.Count, limit));
        var bytes = 0;
        foreach (var message in newestFirst)
        {
            if (frames.Count == limit)
            {
                break;
            }

            var frame = Message(message);
            if (frames.Count > 0 && bytes + frame.Length + 1 > maxBytes)
            {
                break;
            }

            frames.Add(frame);
            bytes += frame.Length + 1;
        }

        var hasMore = frames.Count < newestFirst.Count;
        frames.Reverse();
        var buffer = new ArrayBufferWriter<byte>(bytes + 128);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            if (withType)
            {
                w.WriteString("type"u8, "history"u8);
            }

            w.WriteString("room"u8, room);
            w.WriteStartArray("messages"u8);
            foreach (var frame in frames)
            {
                w.WriteRawValue(frame, skipInputValidation: true);
            }

            w.WriteEndArray();
            w.WriteBoolean("hasMore"u8, hasMore);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <param name="retryAfter">Milliseconds until the refused frame may succeed (slow mode, docs/protocol.md §14.5).</param>
    public static byte[] Error(string code, string message, string? clientMsgId = null, long? retryAfter = null) =>
        Write((code, message, clientMsgId, retryAfter), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "error"u8);
            w.WriteString("code"u8, s.code);
            w.WriteString("message"u8, s.message);
            if (s.clientMsgId is not null)
            {
                w.WriteString("clientMsgId"u8, s.clientMsgId);
            }

            if (s.retryAfter is { } wait)
            {
                w.WriteNumber("retryAfter"u8, wait);
            }

            w.WriteEndObject();
        });

    public static byte[] ReplayTruncated(string room, long fromSeq) =>
        Write((room, fromSeq), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "error"u8);
            w.WriteString("code"u8, ErrorCodes.ReplayTruncated);
            w.WriteString("message"u8, "replay capped: page older messages with history");
            w.WriteString("room"u8, s.room);
            w.WriteNumber("fromSeq"u8, s.fromSeq);
            w.WriteEndObject();
        });

    /// <summary>The JSON body of an HTTP refusal: <c>{"error": code, "detail": text}</c>.</summary>
    public static byte[] Refusal(string code, string detail) =>
        Write((code, detail), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("error"u8, s.code);
            w.WriteString("detail"u8, s.detail);
            w.WriteEndObject();
        });

    private static byte[] RoomFrame(ReadOnlySpan<byte> type, string room)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, type);
            w.WriteString("room"u8, room);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The answer to <c>POST /api/rooms/{room}/messages</c>: the message frame's fields without
    /// <c>type</c>, plus <c>duplicate</c>.
    /// </summary>
    public static byte[] Published(StoredMessage message, bool duplicate) =>
        Write((message, duplicate), static (w, s) =>
        {
            w.WriteStartObject();
            WriteMessageFields(w, s.message);
            w.WriteBoolean("duplicate"u8, s.duplicate);
            w.WriteEndObject();
        });

    private static void WriteMessageObject(Utf8JsonWriter w, StoredMessage m)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "message"u8);
        WriteMessageFields(w, m);
        w.WriteEndObject();
    }

    private static void WriteMessageFields(Utf8JsonWriter w, StoredMessage m)
    {
        w.WriteNumber("id"u8, m.Id);
        w.WriteString("room"u8, m.Room);
        w.WriteNumber("seq"u8, m.Seq);
        w.WriteString("user"u8, m.Username);
        w.WriteString("userId"u8, m.UserId);
        w.WriteString("message"u8, m.Content);
        w.WriteString("timestamp"u8, FormatTimestamp(m.CreatedAt));
        if (m.ClientMsgId is not null)
        {
            w.WriteString("clientMsgId"u8, m.ClientMsgId);
        }
    }

    internal static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer, state);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
