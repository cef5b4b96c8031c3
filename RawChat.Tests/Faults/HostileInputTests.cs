using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// Hostile input gets a clear answer and costs nothing else: thousands of arbitrary frames from
/// several sockets leave the node serving others correctly and every acked message stored.
/// </summary>
public sealed class HostileInputTests
{
    private const int Seed = 20261125;
    private static readonly string[] Keys = ["type", "room", "message", "clientMsgId", "since", "before", "limit", "extra"];
    private static readonly string[] Types = ["send", "join", "leave", "history", "ping", "dance", "", "SEND"];

    [Test]
    public async Task Thousands_of_arbitrary_frames_leave_the_node_serving_and_every_acked_message_stored()
    {
        await using var node = await ChatNode.StartAsync(Limits.Lifted(100_000));
        var room = Rooms.Unique("fuzz");
        var random = new Random(Seed);
        var fuzzers = new List<ChatClient>();
        for (var i = 0; i < 4; i++)
        {
            fuzzers.Add(await node.ConnectAsync(TestTokens.For($"{700 + i}", $"fuzz{i}"), path: $"/ws/chat/{room}"));
        }

        try
        {
            var frames = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 750).Select(_ => NextFrame(random, room)).ToList()).ToList();
            await Task.WhenAll(fuzzers.Select((client, i) => Task.Run(async () =>
            {
                foreach (var frame in frames[i])
                {
                    await client.SendTextAsync(frame);
                }
            })));

            // Every fuzzer is still connected and answering; collect the acks each one got. Posts are
            // answered as they are stored, so a last post of its own in the room marks the end: the
            // room's posts are stored in the order they were sent, and so answered.
            var acked = new List<(string UserId, string ClientMsgId)>();
            for (var i = 0; i < fuzzers.Count; i++)
            {
                var last = $"last-{i}";
                await fuzzers[i].SendAsync(new { type = "join", room }); // a fuzzed leave may have left it
                await fuzzers[i].SendAsync(new { type = "send", room, message = "last", clientMsgId = last });
                var answers = await fuzzers[i].ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "ack"
                    && f.GetProperty("clientMsgId").GetString() == last);
                acked.AddRange(answers.Where(f => f.GetProperty("type").GetString() == "ack")
                    .Select(f => ($"{700 + i}", f.GetProperty("clientMsgId").GetString()!)));
            }

            Assert.That(acked, Is.Not.Empty, "the fuzz corpus includes valid posts");
            await using var db = new NpgsqlConnection(await SharedDatabase.GetAsync());
            var stored = (await db.QueryAsync<(string, string)>(
                "SELECT user_id, client_msg_id FROM messages WHERE client_msg_id IS NOT NULL AND user_id LIKE '70%'")).ToHashSet();
            Assert.That(acked.Where(a => !stored.Contains(a)), Is.Empty, $"seed {Seed}: every acked message is stored");

            // Someone else on the node is served normally.
            var calm = Rooms.Unique("calm");
            await using var bystander = await node.ConnectAsync(TestTokens.For("799", "bystander"), path: $"/ws/chat/{calm}");
            var ack = await bystander.PostAndAckAsync(calm, "still fine", "calm-1");
            Assert.That(ack.GetProperty("seq").GetInt64(), Is.EqualTo(1));
        }
        finally
        {
            foreach (var client in fuzzers)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Oversized_headers_and_query_strings_get_an_HTTP_error_and_the_node_serves_on()
    {
        await using var node = await ChatNode.StartAsync();
        var hugeQuery = await Handshake.SendAsync(node, "/ws/chat?token=" + new string('a', 64 * 1024));
        Assert.That((int)hugeQuery.Status, Is.InRange(400, 499));
        var hugeHeader = await Handshake.SendAsync(node, "/ws/chat",
            new Dictionary<string, string> { ["Authorization"] = "Bearer " + new string('b', 64 * 1024) });
        Assert.That((int)hugeHeader.Status, Is.InRange(400, 499));
        var longToken = await Handshake.SendAsync(node, "/ws/chat?token=" + new string('c', 7000));
        Assert.That(longToken.Status, Is.EqualTo(HttpStatusCode.Unauthorized));

        await using var client = await node.ConnectAsync(TestTokens.For("798", "after"));
        await client.ExpectNothingPendingAsync();
    }

    private static string NextFrame(Random random, string room)
    {
        switch (random.Next(6))
        {
            case 0: // a valid post that must be acked and stored
                return JsonSerializer.Serialize(new { type = "send", room, message = RandomText(random, 1, 50), clientMsgId = Guid.NewGuid().ToString("N") });
            case 1: // random printable garbage
                return RandomText(random, 0, 200);
            case 2: // truncated or spliced JSON
                var valid = JsonSerializer.Serialize(new { type = "send", message = RandomText(random, 1, 20) });
                return valid[..random.Next(valid.Length)];
            case 3: // deep nesting
                var depth = random.Next(1, 200);
                return new string('[', depth) + new string(']', depth);
            default: // objects of known keys with values of random types
                var builder = new StringBuilder("{");
                var fields = random.Next(0, 6);
                for (var f = 0; f < fields; f++)
                {
                    builder.Append(f > 0 ? "," : "").Append('"').Append(Keys[random.Next(Keys.Length)]).Append("\":").Append(RandomValue(random, room));
                }

                return builder.Append('}').ToString();
        }
    }

    private static string RandomValue(Random random, string room) => random.Next(9) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => random.NextInt64(long.MinValue, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
        3 => "1e400",
        4 => JsonSerializer.Serialize(Types[random.Next(Types.Length)]),
        5 => JsonSerializer.Serialize(room),
        6 => "[1,{\"a\":[]}]",
        7 => JsonSerializer.Serialize(RandomText(random, 0, 100)),
        _ => JsonSerializer.Serialize("\u0000<script>'; DROP TABLE messages; --"),
    };

    private static string RandomText(Random random, int min, int max)
    {
        var length = random.Next(min, max + 1);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(10) switch
            {
                0 => (char)random.Next(0x4E00, 0x9FFF),
                1 => "🙂",
                2 => (char)random.Next(1, 32),
                _ => (char)random.Next(32, 127),
            });
        }

        return builder.ToString();
    }
}
