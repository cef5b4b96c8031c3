using System.Text.Json;
using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// A post that PostgreSQL could not store fails alone: text holding U+0000 or an unpaired
/// surrogate is refused when the frame is read, so it never reaches a batch shared with others.
/// </summary>
public sealed class PoisonPostTests
{
    private const int Posters = 6;
    private const int PostsEach = 10;

    // JSON allows both escapes; PostgreSQL text holds neither.
    private static readonly string[] PoisonFrames =
    [
        """{"type": "send", "message": "nul id", "clientMsgId": "p\u0000x"}""",
        """{"type": "send", "message": "lone id", "clientMsgId": "p\ud800x"}""",
        """{"type": "send", "message": "nul \u0000 text", "clientMsgId": "p-text-nul"}""",
        """{"type": "send", "message": "lone \udfff text", "clientMsgId": "p-text-lone"}""",
        """{"message": "tutorial form \u0000"}""",
        """{"type": "join", "room": "r\u0000"}""",
        """{"type": "history", "room": "r\ud800"}""",
    ];

    [Test]
    public async Task Six_users_posting_while_a_seventh_sends_poisoned_text_all_get_their_acks_and_the_seventh_a_clear_error()
    {
        await using var node = await ChatNode.StartAsync(Limits.Lifted(10_000));
        var room = Rooms.Unique("poison");
        var posters = new List<ChatClient>();
        for (var i = 0; i < Posters; i++)
        {
            posters.Add(await node.ConnectAsync(TestTokens.For($"{1200 + i}", $"poster{i}"), path: $"/ws/chat/{room}"));
        }

        await using var poisoner = await node.ConnectAsync(TestTokens.For("1299", "poisoner"), path: $"/ws/chat/{room}");
        try
        {
            // Everyone starts at once and sends without waiting, so posts and poison share batches.
            using var start = new SemaphoreSlim(0);
            using var poisonerSends = new SemaphoreSlim(1); // one send at a time on a ClientWebSocket
            var posting = posters.Select((client, i) => Task.Run(async () =>
            {
                await start.WaitAsync();
                for (var n = 0; n < PostsEach; n++)
                {
                    await client.SendAsync(new { type = "send", message = $"hello {n}", clientMsgId = $"u{i}-{n}" });
                    await poisonerSends.WaitAsync();
                    try
                    {
                        await poisoner.SendTextAsync(PoisonFrames[(i + n) % PoisonFrames.Length]);
                    }
                    finally
                    {
                        poisonerSends.Release();
                    }
                }
            })).ToList();
            start.Release(Posters);
            await Task.WhenAll(posting);

            for (var i = 0; i < Posters; i++)
            {
                var acks = await AcksAsync(posters[i], PostsEach);
                Assert.That(acks.Select(a => a.GetProperty("clientMsgId").GetString()),
                    Is.EqualTo(Enumerable.Range(0, PostsEach).Select(n => $"u{i}-{n}")), $"poster {i}: every post acked, in order");
            }

            var errors = await ErrorsAsync(poisoner, Posters * PostsEach);
            Assert.That(errors.Select(e => e.GetProperty("code").GetString()).Distinct(),
                Is.SubsetOf(new[] { "invalid_frame", "invalid_room" }), "each poisoned frame is refused for what it is");
            Assert.That(errors.Where(e => e.TryGetProperty("clientMsgId", out _)).Select(e => e.GetProperty("clientMsgId").GetString()).Distinct(),
                Is.SubsetOf(new[] { "p-text-nul", "p-text-lone" }), "an id that is not text is never echoed");
            await poisoner.SendAsync(new { type = "ping" }); // still connected and served
            await poisoner.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "pong");

            await using var db = new NpgsqlConnection(await SharedDatabase.GetAsync());
            var stored = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM messages WHERE room = @room", new { room });
            Assert.That(stored, Is.EqualTo(Posters * PostsEach), "all sixty stored, nothing of the poison");
        }
        finally
        {
            foreach (var client in posters)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Reads a poster's frames (its acks and the room's messages) until it has <paramref name="count"/> acks.</summary>
    private static async Task<List<JsonElement>> AcksAsync(ChatClient client, int count)
    {
        var acks = new List<JsonElement>();
        while (acks.Count < count)
        {
            var frame = await client.ReceiveAsync();
            switch (frame.GetProperty("type").GetString())
            {
                case "ack":
                    acks.Add(frame);
                    break;
                case "error":
                    Assert.Fail($"a good post was refused: {frame}");
                    break;
            }
        }

        return acks;
    }

    private static async Task<List<JsonElement>> ErrorsAsync(ChatClient client, int count)
    {
        var errors = new List<JsonElement>();
        while (errors.Count < count)
        {
            var frame = await client.ReceiveAsync();
            if (frame.GetProperty("type").GetString() == "error")
            {
                errors.Add(frame);
            }
            else
            {
                Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("message"), $"the poisoner got {frame}");
            }
        }

        return errors;
    }
}
