using System.Text.Json;

namespace RawChat.Tests.Support;

/// <summary>Small protocol steps many tests share.</summary>
public static class Posting
{
    /// <summary>Sends a post with a clientMsgId and returns its ack (skipping message frames in between).</summary>
    public static async Task<JsonElement> PostAndAckAsync(this ChatClient client, string room, string text, string clientMsgId)
    {
        await client.SendAsync(new { type = "send", room, message = text, clientMsgId });
        while (true)
        {
            var frame = await client.ReceiveAsync();
            var type = frame.GetProperty("type").GetString();
            if (type == "ack" && frame.GetProperty("clientMsgId").GetString() == clientMsgId)
            {
                return frame;
            }

            if (type == "error")
            {
                throw new InvalidOperationException($"post refused: {frame}");
            }
        }
    }

    /// <summary>
    /// Posts <paramref name="count"/> messages with clientMsgIds, keeping at most <paramref name="window"/>
    /// unacked, as a well-behaved client streams: the server answers posts as they are stored, so a
    /// client that sent thousands at once would receive them as one burst.
    /// </summary>
    public static async Task PostWindowedAsync(this ChatClient poster, string room, int count, Func<int, string> text, int window = 32)
    {
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var (sent, acked) = (0, 0);
        while (acked < count)
        {
            for (; sent < count && sent - acked < window; sent++)
            {
                await poster.SendAsync(new { type = "send", room, message = text(sent), clientMsgId = $"{prefix}-{sent}" });
            }

            var frame = await poster.ReceiveAsync();
            var type = frame.GetProperty("type").GetString();
            if (type == "ack")
            {
                acked++;
            }
            else if (type == "error")
            {
                throw new InvalidOperationException($"post refused: {frame}");
            }
        }
    }

    /// <summary>Reads frames until one satisfies <paramref name="match"/>; returns it with everything read before.</summary>
    public static async Task<List<JsonElement>> ReceiveUntilAsync(this ChatClient client, Func<JsonElement, bool> match)
    {
        var frames = new List<JsonElement>();
        while (true)
        {
            var frame = await client.ReceiveAsync();
            frames.Add(frame);
            if (match(frame))
            {
                return frames;
            }
        }
    }

    public static bool IsMessage(this JsonElement frame, string room, long seq) =>
        frame.GetProperty("type").GetString() == "message"
        && frame.GetProperty("room").GetString() == room
        && frame.GetProperty("seq").GetInt64() == seq;

    public static IEnumerable<long> SeqsOf(this IEnumerable<JsonElement> frames, string room) =>
        frames.Where(f => f.GetProperty("type").GetString() == "message" && f.GetProperty("room").GetString() == room)
            .Select(f => f.GetProperty("seq").GetInt64());
}
