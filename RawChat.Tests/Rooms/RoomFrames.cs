using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.RoomsWithMembers;

/// <summary>Socket steps the room tests share (docs/protocol.md §2, §14.2, §14.5).</summary>
internal static class RoomFrames
{
    /// <summary>
    /// The contract gives a ban or a removal one second to reach every socket (§14.5). The tests
    /// allow 1.5 s, measured from the HTTP answer: half a second of slack for a 2-core CI machine
    /// running two nodes, PostgreSQL, Redis and the test process at once, where a scheduling stall
    /// of a few hundred milliseconds is ordinary. A node that takes the socket out within the
    /// contract's second always passes; one that waits for anything slow (a poll, a timer) does not.
    /// </summary>
    public static readonly TimeSpan WithinASecond = TimeSpan.FromSeconds(1.5);

    /// <summary>A generous bound for changes the contract gives no deadline (unban, unmute, re-add).</summary>
    public static readonly TimeSpan Generously = TimeSpan.FromSeconds(20);

    public static string TypeOf(this JsonElement frame) =>
        frame.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : "";

    /// <summary>Sends <c>hello</c> and answers the server's <c>hello</c> frame.</summary>
    public static async Task<JsonElement> HelloAsync(this ChatClient client, params string[] features)
    {
        await client.SendAsync(new { type = "hello", features });
        return await client.ReceiveTypeAsync("hello");
    }

    /// <summary>Opts into <c>members</c> and asserts the answer of §14.2.</summary>
    public static async Task OptIntoMembersAsync(this ChatClient client)
    {
        var answer = await client.HelloAsync("members");
        Assert.That(answer.GetProperty("protocol").GetInt32(), Is.EqualTo(1), answer.ToString());
        Assert.That(Strings(answer.GetProperty("features")), Is.EqualTo(new[] { "members" }), answer.ToString());
    }

    /// <summary>Joins <paramref name="room"/> and reads <c>joined</c> and the <c>history</c> that follows it.</summary>
    public static async Task<JsonElement> JoinAsync(this ChatClient client, string room)
    {
        await client.SendAsync(new { type = "join", room });
        var joined = await client.ReceiveTypeAsync("joined");
        Assert.That(joined.GetProperty("room").GetString(), Is.EqualTo(room));
        var history = await client.ReceiveTypeAsync("history");
        Assert.That(history.GetProperty("room").GetString(), Is.EqualTo(room));
        return history;
    }

    /// <summary>
    /// The next frame of <paramref name="type"/>, skipping <c>member</c> frames before it: an opted-in
    /// socket may hear of a change about itself (§14.6) before the server takes it out of the room.
    /// </summary>
    public static async Task<JsonElement> ReceiveSkippingMembersAsync(this ChatClient client, string type)
    {
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if (frame.TypeOf() == "member")
            {
                continue;
            }

            if (frame.TypeOf() != type)
            {
                throw new InvalidOperationException($"expected a '{type}' frame, got {frame}");
            }

            return frame;
        }
    }

    /// <summary>The <c>left</c> frame the server sends an opted-in socket it took out of <paramref name="room"/> (§14.5).</summary>
    public static async Task<JsonElement> ReceiveLeftAsync(this ChatClient client, string room, string reason)
    {
        var left = await client.ReceiveSkippingMembersAsync("left");
        Assert.That(left.GetProperty("room").GetString(), Is.EqualTo(room), left.ToString());
        Assert.That(left.GetProperty("reason").GetString(), Is.EqualTo(reason), left.ToString());
        return left;
    }

    /// <summary>The next frame, which must be an <c>error</c> with <paramref name="code"/> (and the echoed clientMsgId, when given).</summary>
    public static async Task<JsonElement> ExpectErrorAsync(this ChatClient client, string code, string? clientMsgId = null)
    {
        var frame = await client.ReceiveAsync();
        AssertError(frame, code, clientMsgId);
        return frame;
    }

    public static void AssertError(JsonElement frame, string code, string? clientMsgId = null)
    {
        Assert.That(frame.TypeOf(), Is.EqualTo("error"), frame.ToString());
        Assert.That(frame.GetProperty("code").GetString(), Is.EqualTo(code), frame.ToString());
        Assert.That(frame.GetProperty("message").GetString(), Is.Not.Empty, frame.ToString());
        if (clientMsgId is not null)
        {
            Assert.That(frame.GetProperty("clientMsgId").GetString(), Is.EqualTo(clientMsgId), frame.ToString());
        }
    }

    /// <summary>
    /// Posts to <paramref name="room"/> with a clientMsgId and answers what answered that post: its
    /// <c>ack</c> or its <c>error</c>. Message frames that arrive meanwhile (the room is live) are skipped.
    /// </summary>
    public static async Task<JsonElement> PostAsync(this ChatClient client, string room, string text, string clientMsgId)
    {
        await client.SendAsync(new { type = "send", room, message = text, clientMsgId });
        return await client.AnswerToAsync(clientMsgId);
    }

    /// <summary>The <c>ack</c> or <c>error</c> carrying <paramref name="clientMsgId"/>, skipping message frames.</summary>
    public static async Task<JsonElement> AnswerToAsync(this ChatClient client, string clientMsgId)
    {
        while (true)
        {
            var frame = await client.ReceiveAsync();
            var type = frame.TypeOf();
            if (type == "message")
            {
                continue;
            }

            if (type is "ack" or "error" && frame.TryGetProperty("clientMsgId", out var id) && id.GetString() == clientMsgId)
            {
                return frame;
            }

            throw new InvalidOperationException($"expected the answer to post {clientMsgId}, got {frame}");
        }
    }

    /// <summary>Posts and asserts the ack; answers it.</summary>
    public static async Task<JsonElement> PostAckedAsync(this ChatClient client, string room, string text, string clientMsgId)
    {
        var answer = await client.PostAsync(room, text, clientMsgId);
        Assert.That(answer.TypeOf(), Is.EqualTo("ack"), $"the post {clientMsgId} to {room}: {answer}");
        return answer;
    }

    /// <summary>
    /// The <c>message</c> frame of <paramref name="room"/> carrying <paramref name="text"/>. The client's own posts come back
    /// to it after their ack, so a copy of one of them may come first: those (frames with a <c>clientMsgId</c> this
    /// client sent) are passed over; any other message first fails the test.
    /// </summary>
    public static async Task<JsonElement> ReceiveMessageAsync(this ChatClient client, string room, string text, params string[] ownPosts)
    {
        while (true)
        {
            var frame = await client.ReceiveTypeAsync("message");
            if (frame.TryGetProperty("clientMsgId", out var id) && ownPosts.Contains(id.GetString()))
            {
                continue;
            }

            Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo(room), frame.ToString());
            Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo(text), frame.ToString());
            return frame;
        }
    }

    /// <summary>Sends a <c>join</c> without <c>since</c>; answers <c>joined</c> (its history page read too) or the error code.</summary>
    public static async Task<string> JoinCodeAsync(this ChatClient client, string room)
    {
        await client.SendAsync(new { type = "join", room });
        var answer = await client.ReceiveAsync();
        if (answer.TypeOf() == "joined")
        {
            await client.ReceiveTypeAsync("history");
        }

        return CodeOf(answer);
    }

    /// <summary>Sends <c>history</c> for <paramref name="room"/>; answers <c>history</c> or the error code.</summary>
    public static async Task<string> HistoryCodeAsync(this ChatClient client, string room)
    {
        await client.SendAsync(new { type = "history", room });
        return CodeOf(await client.ReceiveAsync());
    }

    /// <summary>An answer's type, or for an <c>error</c> its code.</summary>
    public static string CodeOf(JsonElement answer) =>
        answer.TypeOf() == "error" ? answer.GetProperty("code").GetString()! : answer.TypeOf();

    /// <summary>
    /// Polls <paramref name="observe"/> every <paramref name="interval"/> until <paramref name="expected"/>
    /// comes, and fails with the last value seen after <paramref name="timeout"/>. For state with no
    /// event of its own (a cache some node drops when Redis tells it). The interval keeps a polling
    /// socket far below its frame and post budgets (§3.5).
    /// </summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> observe, T expected, string what, TimeSpan timeout, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await observe();
            if (EqualityComparer<T>.Default.Equals(value, expected))
            {
                return value;
            }

            if (clock.Elapsed > timeout)
            {
                Assert.That(value, Is.EqualTo(expected), $"{what}, still not so after {timeout.TotalSeconds:0.#} s (the last value seen)");
                return value;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(200));
        }
    }

    public static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
