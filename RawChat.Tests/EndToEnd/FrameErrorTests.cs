using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;
using RawChat.Core.Storage;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// Every client frame of docs/protocol.md §2.1 and every error code of §2.2 over a real socket. A
/// refused frame gets exactly one <c>error</c> frame and the connection stays open: the next
/// thing a ping gets is its pong.
/// </summary>
public sealed class FrameErrorTests : NodeFixture
{
    private const string Emoji = "\U0001F600";

    // ---------------------------------------------------------------- refused frames

    [TestCaseSource(nameof(InvalidJsonFrames))]
    public async Task Text_that_is_not_json_gets_invalid_json_and_the_connection_stays_open(string text)
    {
        await using var client = await ConnectAsync();

        await client.SendTextAsync(text);

        await ExpectErrorAsync(client, "invalid_json");
    }

    [TestCaseSource(nameof(InvalidFrames))]
    public async Task Frame_of_the_wrong_shape_gets_invalid_frame_and_the_connection_stays_open(string text, string? echoed)
    {
        await using var client = await ConnectAsync();

        await client.SendTextAsync(text);

        await ExpectErrorAsync(client, "invalid_frame", echoed);
    }

    [TestCase("""{"type": "dance"}""", null)]
    [TestCase("""{"type": ""}""", null)]
    [TestCase("""{"type": "dance", "clientMsgId": "c-dance"}""", "c-dance")]
    public async Task Frame_of_an_unknown_type_gets_unknown_type(string text, string? echoed)
    {
        await using var client = await ConnectAsync();

        await client.SendTextAsync(text);

        await ExpectErrorAsync(client, "unknown_type", echoed);
    }

    [TestCase("""{"message": ""}""", null, TestName = "{m}(empty)")]
    [TestCase("""{"message": "   "}""", null, TestName = "{m}(spaces)")]
    [TestCase("""{"message": "\n\r\n\t "}""", null, TestName = "{m}(newlines and tabs)")]
    [TestCase("""{"message": "\u3000"}""", null, TestName = "{m}(an escaped ideographic space)")]
    [TestCase("{\"message\": \"\u3000 \u3000\"}", null, TestName = "{m}(raw ideographic spaces)")]
    [TestCase("""{"type": "send", "message": " \u3000\n\u00a0", "clientMsgId": "c-empty"}""", "c-empty", TestName = "{m}(send with a clientMsgId)")]
    public async Task Empty_or_white_space_only_message_gets_message_empty(string text, string? echoed)
    {
        await using var client = await ConnectAsync();

        await client.SendTextAsync(text);

        await ExpectErrorAsync(client, "message_empty", echoed);
    }

    [Test]
    public async Task Message_of_4001_code_points_gets_message_too_long_echoing_its_client_msg_id()
    {
        await using var client = await ConnectAsync();

        await client.SendTextAsync(SendFrame(new string('a', 4001), "c-long"));

        await ExpectErrorAsync(client, "message_too_long", "c-long");
    }

    [Test]
    public async Task Message_of_4001_astral_code_points_gets_message_too_long()
    {
        await using var client = await ConnectAsync();

        // Raw UTF-8 (4 bytes each): 16,004 bytes of text stays under the 16 KiB frame limit.
        await client.SendTextAsync($$"""{"message":"{{Repeat(Emoji, 4001)}}"}""");

        await ExpectErrorAsync(client, "message_too_long");
    }

    [Test]
    public async Task Message_of_4000_astral_code_points_is_accepted_because_lengths_are_code_points()
    {
        var room = Rooms.Unique("astral");
        await using var client = await ConnectAsync(room);
        var text = Repeat(Emoji, 4000); // 8,000 UTF-16 units

        // Raw UTF-8, not \u escapes: 16,000 bytes of text keeps the frame under 16 KiB.
        await client.SendTextAsync($$"""{"type":"send","message":"{{text}}","clientMsgId":"c-astral"}""");

        var ack = await client.ReceiveTypeAsync("ack");
        Assert.That(ack.GetProperty("duplicate").GetBoolean(), Is.False);
        var message = await client.ReceiveTypeAsync("message");
        Assert.That(message.GetProperty("message").GetString(), Is.EqualTo(text));
        Assert.That(await StoredContentsAsync(room), Is.EqualTo(new[] { text }));
    }

    [TestCaseSource(nameof(BadRoomNames))]
    public async Task Send_to_a_bad_room_name_gets_invalid_room_echoing_its_client_msg_id(string badRoom)
    {
        await using var client = await ConnectAsync();

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "send", room = badRoom, message = "hi", clientMsgId = "c-room" }));

        await ExpectErrorAsync(client, "invalid_room", "c-room");
    }

    [TestCaseSource(nameof(BadRoomNames))]
    public async Task Join_leave_and_history_of_a_bad_room_name_get_invalid_room(string badRoom)
    {
        await using var client = await ConnectAsync();

        foreach (var type in new[] { "join", "leave", "history" })
        {
            await client.SendTextAsync(JsonSerializer.Serialize(new { type, room = badRoom }));
            await ExpectErrorAsync(client, "invalid_room");
        }
    }

    [TestCase("join")]
    [TestCase("history")]
    public async Task Room_outside_the_tokens_rooms_claim_gets_forbidden_room(string type)
    {
        var allowed = Rooms.Unique("fr-ok");
        var forbidden = Rooms.Unique("fr-no");
        await using var client = await ConnectAsync(allowed, TestTokens.For("21", "frank", rooms: ["fr-ok*"]));

        await client.SendTextAsync(JsonSerializer.Serialize(new { type, room = forbidden }));

        await ExpectErrorAsync(client, "forbidden_room");
    }

    [Test]
    public async Task Rooms_claim_prefix_lets_the_token_join_a_matching_room()
    {
        var home = Rooms.Unique("fr-ok");
        var other = Rooms.Unique("fr-ok");
        await using var client = await ConnectAsync(home, TestTokens.For("21", "frank", rooms: ["fr-ok*"]));

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room = other }));

        Assert.That((await client.ReceiveTypeAsync("joined")).GetProperty("room").GetString(), Is.EqualTo(other));
        await client.ReceiveTypeAsync("history");
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Send_to_a_room_not_joined_gets_not_joined_echoing_its_client_msg_id()
    {
        var elsewhere = Rooms.Unique("nj");
        await using var client = await ConnectAsync();

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "send", room = elsewhere, message = "hi", clientMsgId = "c-nj" }));

        await ExpectErrorAsync(client, "not_joined", "c-nj");
        Assert.That(await StoredContentsAsync(elsewhere), Is.Empty);
    }

    [Test]
    public async Task Leave_of_a_room_not_joined_gets_not_joined()
    {
        await using var client = await ConnectAsync();

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "leave", room = Rooms.Unique("nj") }));

        await ExpectErrorAsync(client, "not_joined");
    }

    [Test]
    public async Task After_leaving_the_default_room_posts_to_it_get_not_joined()
    {
        var room = Rooms.Unique("nj-default");
        await using var client = await ConnectAsync(room);

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "leave", room }));
        Assert.That((await client.ReceiveTypeAsync("left")).GetProperty("room").GetString(), Is.EqualTo(room));

        await client.SendTextAsync("""{"message": "anyone?"}""");
        await ExpectErrorAsync(client, "not_joined");
        await client.SendTextAsync("""{"type": "send", "message": "anyone?", "clientMsgId": "c-gone"}""");
        await ExpectErrorAsync(client, "not_joined", "c-gone");
        Assert.That(await StoredContentsAsync(room), Is.Empty);
    }

    [Test]
    public async Task Leaving_the_default_room_twice_gets_not_joined_the_second_time()
    {
        var room = Rooms.Unique("nj-twice");
        await using var client = await ConnectAsync(room);

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "leave", room }));
        await client.ReceiveTypeAsync("left");
        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "leave", room }));

        await ExpectErrorAsync(client, "not_joined");
    }

    [TestCase("""{"type": "join", "room": "bad room", "clientMsgId": "c-x"}""", "invalid_room", TestName = "{m}(join with a bad room)")]
    [TestCase("""{"type": "leave", "room": "bad room", "clientMsgId": "c-x"}""", "invalid_room", TestName = "{m}(leave with a bad room)")]
    [TestCase("""{"type": "history", "room": "bad room", "clientMsgId": "c-x"}""", "invalid_room", TestName = "{m}(history with a bad room)")]
    [TestCase("""{"type": "leave", "room": "never-joined-room", "clientMsgId": "c-x"}""", "not_joined", TestName = "{m}(leave of a room not joined)")]
    public async Task Refused_frame_of_any_type_echoes_its_client_msg_id(string text, string code)
    {
        // docs/protocol.md §2.2: "clientMsgId echoed when the refused frame had one" — whatever the frame's type.
        await using var client = await ConnectAsync();

        await client.SendTextAsync(text);

        await ExpectErrorAsync(client, code, "c-x");
    }

    [Test]
    public async Task Message_holding_a_lone_surrogate_escape_is_refused_and_not_stored()
    {
        // PostgreSQL text cannot hold it, as with U+0000; the protocol names no code, so either refusal will do.
        var room = Rooms.Unique("surrogate");
        await using var client = await ConnectAsync(room);

        await client.SendTextAsync("""{"type": "send", "message": "a\ud800b", "clientMsgId": "c-lone"}""");

        var frame = await client.ReceiveTypeAsync("error");
        Assert.That(frame.GetProperty("code").GetString(), Is.AnyOf("invalid_json", "invalid_frame"));
        await client.ExpectNothingPendingAsync();
        Assert.That(await StoredContentsAsync(room), Is.Empty);
    }

    [Test]
    public async Task Frame_with_several_faults_gets_exactly_one_error()
    {
        await using var client = await ConnectAsync();

        await client.SendTextAsync("""{"type": "send", "room": "bad room", "message": " ", "since": -1}""");

        var frame = await client.ReceiveTypeAsync("error");
        Assert.That(frame.GetProperty("code").GetString(), Is.AnyOf("invalid_frame", "invalid_room", "message_empty"));
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Fourth_quick_post_over_a_burst_of_three_gets_rate_limited_echoing_its_client_msg_id()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:PostBurst"] = "3",
            ["Chat:PostsPerSecond"] = "1",
        });
        var room = Rooms.Unique("rate");
        await using var client = await ConnectAsync(room, node: node);

        for (var i = 1; i <= 4; i++)
        {
            await client.SendTextAsync(SendFrame($"post {i}", $"c-{i}"));
        }

        // The refusal is immediate; the acks come as the posts are stored, so they may come after it.
        var frames = new List<JsonElement>();
        for (var i = 0; i < 7; i++)
        {
            frames.Add(await client.ReceiveAsync());
        }

        string[] Of(string type, string field) => [.. frames.Where(f => f.GetProperty("type").GetString() == type)
            .Select(f => f.GetProperty(field).GetString()!)];
        Assert.That(Of("ack", "clientMsgId"), Is.EqualTo(new[] { "c-1", "c-2", "c-3" }));
        Assert.That(Of("message", "message"), Is.EqualTo(new[] { "post 1", "post 2", "post 3" }));
        var refusal = frames.Single(f => f.GetProperty("type").GetString() == "error");
        Assert.That(refusal.GetProperty("code").GetString(), Is.EqualTo("rate_limited"));
        Assert.That(refusal.GetProperty("clientMsgId").GetString(), Is.EqualTo("c-4"));
        Assert.That(await StoredContentsAsync(room), Is.EqualTo(new[] { "post 1", "post 2", "post 3" }));
    }

    [Test]
    public async Task Only_posts_count_toward_the_rate_limit()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:PostBurst"] = "2",
            ["Chat:PostsPerSecond"] = "0.01",
        });
        var room = Rooms.Unique("rate-only");
        await using var client = await ConnectAsync(room, node: node);

        for (var i = 0; i < 5; i++)
        {
            await client.SendTextAsync("""{"type": "ping"}""");
            await client.ReceiveTypeAsync("pong");
            await client.SendTextAsync(JsonSerializer.Serialize(new { type = "history", room }));
            await client.ReceiveTypeAsync("history");
            await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room }));
            await client.ReceiveTypeAsync("joined");
            await client.ReceiveTypeAsync("history");
        }

        await client.SendTextAsync(SendFrame("one", "c-1"));
        await client.ReceiveTypeAsync("ack");
        await client.ReceiveTypeAsync("message");
        await client.SendTextAsync("""{"message": "two"}""");
        await client.ReceiveTypeAsync("message");
        await client.SendTextAsync(SendFrame("three", "c-3"));
        await ExpectErrorAsync(client, "rate_limited", "c-3");
    }

    [Test]
    public async Task Continued_sending_while_rate_limited_closes_the_socket_1008_policy_violation()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:PostBurst"] = "3",
            ["Chat:PostsPerSecond"] = "1",
            ["Chat:RateLimitStrikes"] = "3",
        });
        await using var client = await ConnectAsync(Rooms.Unique("strikes"), node: node);

        for (var i = 1; i <= 8; i++)
        {
            await client.SendTextAsync(SendFrame($"post {i}", $"c-{i}"));
        }

        var frames = await ReadUntilCloseAsync(client);
        var (status, reason) = await client.WaitForCloseAsync();
        Assert.That(status, Is.EqualTo(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation));
        Assert.That(reason, Is.EqualTo("policy_violation"));
        var limited = frames.Where(f => f.GetProperty("type").GetString() == "error").ToList();
        Assert.That(limited, Is.Not.Empty);
        Assert.That(limited.Select(f => f.GetProperty("code").GetString()), Is.All.EqualTo("rate_limited"));
    }

    [Test]
    public async Task Joining_past_the_room_limit_gets_too_many_rooms()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?> { ["Chat:MaxRoomsPerConnection"] = "2" });
        var home = Rooms.Unique("max-a");
        var second = Rooms.Unique("max-b");
        var third = Rooms.Unique("max-c");
        await using var client = await ConnectAsync(home, node: node);

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room = second }));
        await client.ReceiveTypeAsync("joined");
        await client.ReceiveTypeAsync("history");
        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room = third }));
        await ExpectErrorAsync(client, "too_many_rooms");

        // Re-joining a room already joined is no new room; leaving one makes space again.
        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room = second }));
        await client.ReceiveTypeAsync("joined");
        await client.ReceiveTypeAsync("history");
        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "leave", room = second }));
        await client.ReceiveTypeAsync("left");
        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room = third }));
        Assert.That((await client.ReceiveTypeAsync("joined")).GetProperty("room").GetString(), Is.EqualTo(third));
    }

    [Test]
    public async Task Post_that_storage_cannot_take_gets_unavailable_and_is_neither_acked_nor_broadcast_and_a_retry_is_stored_once()
    {
        var database = await TestServers.Postgres.CreateDatabaseAsync();
        await using var node = await ChatNode.StartAsync(postgres: database);
        var room = Rooms.Unique("unavailable");
        await using var alice = await ConnectAsync(room, TestTokens.For("31", "alice"), node);
        await using var bob = await ConnectAsync(room, TestTokens.For("32", "bob"), node);
        await bob.ExpectNothingPendingAsync();

        await ExecuteAsync(database, "ALTER TABLE messages RENAME TO messages_away");
        try
        {
            await alice.SendTextAsync(SendFrame("kept?", "c-unavail"));

            await ExpectErrorAsync(alice, "unavailable", "c-unavail");
            await bob.ExpectNothingPendingAsync();
        }
        finally
        {
            await ExecuteAsync(database, "ALTER TABLE messages_away RENAME TO messages");
        }

        await alice.SendTextAsync(SendFrame("kept?", "c-unavail"));

        var ack = await alice.ReceiveTypeAsync("ack");
        Assert.That(ack.GetProperty("clientMsgId").GetString(), Is.EqualTo("c-unavail"));
        Assert.That(ack.GetProperty("duplicate").GetBoolean(), Is.False);
        Assert.That(ack.GetProperty("seq").GetInt64(), Is.EqualTo(1), "the failed attempt must not leave a seq gap");
        await alice.ReceiveTypeAsync("message");
        Assert.That((await bob.ReceiveTypeAsync("message")).GetProperty("message").GetString(), Is.EqualTo("kept?"));
        await alice.ExpectNothingPendingAsync();
        await bob.ExpectNothingPendingAsync();
        await using var db = new NpgsqlConnection(database);
        var rows = await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM messages WHERE room = @room AND client_msg_id = 'c-unavail'", new { room });
        Assert.That(rows, Is.EqualTo(1));
    }

    // ---------------------------------------------------------------- frames that succeed

    [Test]
    public async Task Send_with_client_msg_id_is_acked_before_the_senders_own_message_frame()
    {
        var room = Rooms.Unique("ack");
        await using var alice = await ConnectAsync(room, TestTokens.For("41", "alice"));

        await alice.SendTextAsync(SendFrame("hello", "c-ack"));

        var ack = await alice.ReceiveAsync();
        Assert.That(ack.GetProperty("type").GetString(), Is.EqualTo("ack"), "the ack comes first");
        Assert.That(Names(ack), Is.EquivalentTo(new[] { "type", "clientMsgId", "id", "room", "seq", "timestamp", "duplicate" }));
        Assert.That(ack.GetProperty("clientMsgId").GetString(), Is.EqualTo("c-ack"));
        Assert.That(ack.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(ack.GetProperty("seq").GetInt64(), Is.EqualTo(1));
        Assert.That(ack.GetProperty("timestamp").GetString(), Does.Match(TimestampPattern));
        Assert.That(ack.GetProperty("duplicate").GetBoolean(), Is.False);

        var message = await alice.ReceiveTypeAsync("message");
        AssertMessage(message, room, 1, "alice", "41", "hello", "c-ack");
        Assert.That(message.GetProperty("id").GetInt64(), Is.EqualTo(ack.GetProperty("id").GetInt64()));
        Assert.That(message.GetProperty("timestamp").GetString(), Is.EqualTo(ack.GetProperty("timestamp").GetString()));
        await alice.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Send_without_room_or_client_msg_id_posts_to_the_default_room_with_no_ack_and_no_client_msg_id()
    {
        var room = Rooms.Unique("no-ack");
        await using var alice = await ConnectAsync(room, TestTokens.For("42", "alice"));

        await alice.SendTextAsync("""{"type": "send", "message": "plain"}""");

        AssertMessage(await alice.ReceiveTypeAsync("message"), room, 1, "alice", "42", "plain", null);
        await alice.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Retry_with_the_same_client_msg_id_is_acked_as_duplicate_and_stored_and_broadcast_once()
    {
        var room = Rooms.Unique("dup");
        await using var alice = await ConnectAsync(room, TestTokens.For("43", "alice"));
        await using var bob = await ConnectAsync(room, TestTokens.For("44", "bob"));
        await bob.ExpectNothingPendingAsync();

        await alice.SendTextAsync(SendFrame("once", "c-dup"));
        var first = await alice.ReceiveTypeAsync("ack");
        await alice.ReceiveTypeAsync("message");
        await bob.ReceiveTypeAsync("message");

        await alice.SendTextAsync(SendFrame("once", "c-dup"));
        var second = await alice.ReceiveTypeAsync("ack");

        Assert.That(second.GetProperty("duplicate").GetBoolean(), Is.True);
        Assert.That(second.GetProperty("clientMsgId").GetString(), Is.EqualTo("c-dup"));
        Assert.That(second.GetProperty("id").GetInt64(), Is.EqualTo(first.GetProperty("id").GetInt64()));
        Assert.That(second.GetProperty("seq").GetInt64(), Is.EqualTo(first.GetProperty("seq").GetInt64()));
        Assert.That(second.GetProperty("timestamp").GetString(), Is.EqualTo(first.GetProperty("timestamp").GetString()));
        await alice.ExpectNothingPendingAsync();
        await bob.ExpectNothingPendingAsync();
        await using var db = new NpgsqlConnection(await SharedDatabase.GetAsync());
        var rows = await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM messages WHERE room = @room AND client_msg_id = 'c-dup'", new { room });
        Assert.That(rows, Is.EqualTo(1));
    }

    [Test]
    public async Task Join_answers_joined_then_one_history_frame_with_the_last_50_oldest_first()
    {
        var home = Rooms.Unique("home");
        var busy = Rooms.Unique("busy");
        await SeedAsync(busy, 55);
        await using var client = await ConnectAsync(home);

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room = busy }));

        var joined = await client.ReceiveTypeAsync("joined");
        Assert.That(Names(joined), Is.EquivalentTo(new[] { "type", "room" }));
        Assert.That(joined.GetProperty("room").GetString(), Is.EqualTo(busy));
        var history = await client.ReceiveTypeAsync("history");
        Assert.That(Names(history), Is.EquivalentTo(new[] { "type", "room", "messages", "hasMore" }));
        Assert.That(history.GetProperty("room").GetString(), Is.EqualTo(busy));
        Assert.That(history.GetProperty("hasMore").GetBoolean(), Is.True);
        var messages = history.GetProperty("messages").EnumerateArray().ToList();
        Assert.That(messages.Select(m => m.GetProperty("seq").GetInt64()), Is.EqualTo(Range(6, 55)));
        foreach (var m in messages)
        {
            var seq = m.GetProperty("seq").GetInt64();
            AssertMessage(m, busy, seq, "seeder", "900", $"m{seq}", null);
        }

        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Join_of_a_room_with_few_messages_sends_them_all_and_no_more()
    {
        var quiet = Rooms.Unique("few");
        await SeedAsync(quiet, 3);
        await using var client = await ConnectAsync();

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room = quiet }));

        await client.ReceiveTypeAsync("joined");
        var history = await client.ReceiveTypeAsync("history");
        Assert.That(Seqs(history), Is.EqualTo(Range(1, 3)));
        Assert.That(history.GetProperty("hasMore").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Join_with_history_on_join_0_sends_joined_and_no_history()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?> { ["Chat:HistoryOnJoin"] = "0" });
        var busy = Rooms.Unique("nohist");
        await SeedAsync(busy, 3);
        await using var client = await ConnectAsync(node: node);

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room = busy }));

        Assert.That((await client.ReceiveTypeAsync("joined")).GetProperty("room").GetString(), Is.EqualTo(busy));
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Join_with_since_answers_joined_then_the_later_messages_as_message_frames_then_live_ones()
    {
        var room = Rooms.Unique("since");
        await SeedAsync(room, 5);
        await using var client = await ConnectAsync();
        await using var poster = await ConnectAsync(room, TestTokens.For("45", "poster"));

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room, since = 2 }));

        Assert.That((await client.ReceiveTypeAsync("joined")).GetProperty("room").GetString(), Is.EqualTo(room));
        for (var seq = 3; seq <= 5; seq++)
        {
            AssertMessage(await client.ReceiveTypeAsync("message"), room, seq, "seeder", "900", $"m{seq}", null);
        }

        await client.ExpectNothingPendingAsync();
        await poster.SendTextAsync("""{"message": "live"}""");
        AssertMessage(await client.ReceiveTypeAsync("message"), room, 6, "poster", "45", "live", null);
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Join_with_since_past_the_rooms_end_replays_nothing_but_still_gets_live_messages()
    {
        var room = Rooms.Unique("since-end");
        await SeedAsync(room, 2);
        await using var client = await ConnectAsync();
        await using var poster = await ConnectAsync(room, TestTokens.For("46", "poster"));

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room, since = 99 }));

        await client.ReceiveTypeAsync("joined");
        await client.ExpectNothingPendingAsync();
        await poster.SendTextAsync("""{"message": "after"}""");
        AssertMessage(await client.ReceiveTypeAsync("message"), room, 3, "poster", "46", "after", null);
    }

    [Test]
    public async Task Re_joining_a_joined_room_answers_joined_again()
    {
        var room = Rooms.Unique("rejoin");
        await SeedAsync(room, 2);
        await using var client = await ConnectAsync(room);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room }));
            Assert.That((await client.ReceiveTypeAsync("joined")).GetProperty("room").GetString(), Is.EqualTo(room));
            Assert.That(Seqs(await client.ReceiveTypeAsync("history")), Is.EqualTo(Range(1, 2)));
        }

        await client.ExpectNothingPendingAsync();
        await client.SendTextAsync("""{"message": "still here once"}""");
        Assert.That((await client.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64(), Is.EqualTo(3));
        await client.ExpectNothingPendingAsync();

        // Re-joining with since replays as asked, then stays live.
        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room, since = 1 }));
        await client.ReceiveTypeAsync("joined");
        Assert.That((await client.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64(), Is.EqualTo(2));
        Assert.That((await client.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64(), Is.EqualTo(3));
        await client.ExpectNothingPendingAsync();
        await client.SendTextAsync("""{"message": "and live"}""");
        Assert.That((await client.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64(), Is.EqualTo(4));
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Leave_answers_left_and_no_more_messages_of_that_room_arrive()
    {
        var home = Rooms.Unique("stay");
        var visited = Rooms.Unique("visit");
        await using var client = await ConnectAsync(home);
        await using var poster = await ConnectAsync(visited, TestTokens.For("47", "poster"));
        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "join", room = visited }));
        await client.ReceiveTypeAsync("joined");
        await client.ReceiveTypeAsync("history");
        await poster.SendTextAsync("""{"message": "while joined"}""");
        await poster.ReceiveTypeAsync("message");
        Assert.That((await client.ReceiveTypeAsync("message")).GetProperty("message").GetString(), Is.EqualTo("while joined"));

        await client.SendTextAsync(JsonSerializer.Serialize(new { type = "leave", room = visited }));

        var left = await client.ReceiveTypeAsync("left");
        Assert.That(Names(left), Is.EquivalentTo(new[] { "type", "room" }));
        Assert.That(left.GetProperty("room").GetString(), Is.EqualTo(visited));
        await poster.SendTextAsync("""{"message": "after leaving"}""");
        // Once the poster has its copy, the room has been served (and so would the client have been).
        await poster.ReceiveTypeAsync("message");
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task History_pages_back_with_before_and_limit_and_defaults_to_the_connections_room()
    {
        var room = Rooms.Unique("paging");
        await SeedAsync(room, 10);
        await using var client = await ConnectAsync(room);

        var all = await HistoryAsync(client, """{"type": "history"}""");
        Assert.That(all.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(Seqs(all), Is.EqualTo(Range(1, 10)));
        Assert.That(all.GetProperty("hasMore").GetBoolean(), Is.False);

        var newest = await HistoryAsync(client, """{"type": "history", "limit": 3}""");
        Assert.That(Seqs(newest), Is.EqualTo(Range(8, 10)));
        Assert.That(newest.GetProperty("hasMore").GetBoolean(), Is.True);

        var older = await HistoryAsync(client, JsonSerializer.Serialize(new { type = "history", room, before = 8, limit = 3 }));
        Assert.That(Seqs(older), Is.EqualTo(Range(5, 7)));
        Assert.That(older.GetProperty("hasMore").GetBoolean(), Is.True);
        AssertMessage(older.GetProperty("messages")[0], room, 5, "seeder", "900", "m5", null);

        var oldest = await HistoryAsync(client, JsonSerializer.Serialize(new { type = "history", room, before = 3, limit = 5 }));
        Assert.That(Seqs(oldest), Is.EqualTo(Range(1, 2)));
        Assert.That(oldest.GetProperty("hasMore").GetBoolean(), Is.False);

        var exact = await HistoryAsync(client, JsonSerializer.Serialize(new { type = "history", room, before = 3, limit = 2 }));
        Assert.That(Seqs(exact), Is.EqualTo(Range(1, 2)));
        Assert.That(exact.GetProperty("hasMore").GetBoolean(), Is.False, "nothing is older than seq 1");

        var single = await HistoryAsync(client, JsonSerializer.Serialize(new { type = "history", room, limit = 1 }));
        Assert.That(Seqs(single), Is.EqualTo(new long[] { 10 }));
        Assert.That(single.GetProperty("hasMore").GetBoolean(), Is.True);

        var none = await HistoryAsync(client, JsonSerializer.Serialize(new { type = "history", room, before = 1, limit = 200 }));
        Assert.That(Seqs(none), Is.Empty);
        Assert.That(none.GetProperty("hasMore").GetBoolean(), Is.False);
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task History_of_a_room_not_joined_needs_no_join()
    {
        var other = Rooms.Unique("not-mine");
        await SeedAsync(other, 4);
        await using var client = await ConnectAsync();

        var page = await HistoryAsync(client, JsonSerializer.Serialize(new { type = "history", room = other, limit = 2 }));

        Assert.That(page.GetProperty("room").GetString(), Is.EqualTo(other));
        Assert.That(Seqs(page), Is.EqualTo(Range(3, 4)));
        Assert.That(page.GetProperty("hasMore").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Ping_gets_pong()
    {
        await using var client = await ConnectAsync();

        await client.SendTextAsync("""{"type": "ping"}""");

        Assert.That(await client.ReceiveTextAsync(), Is.EqualTo("""{"type":"pong"}"""));
    }

    [TestCaseSource(nameof(VerbatimTexts))]
    public async Task Text_is_stored_and_returned_verbatim(string text)
    {
        var room = Rooms.Unique("verbatim");
        await using var alice = await ConnectAsync(room, TestTokens.For("48", "alice"));
        await using var bob = await ConnectAsync(room, TestTokens.For("49", "bob"));
        await bob.ExpectNothingPendingAsync();

        await alice.SendTextAsync(SendFrame(text, "c-verbatim"));

        await alice.ReceiveTypeAsync("ack");
        Assert.That((await alice.ReceiveTypeAsync("message")).GetProperty("message").GetString(), Is.EqualTo(text));
        Assert.That((await bob.ReceiveTypeAsync("message")).GetProperty("message").GetString(), Is.EqualTo(text));
        Assert.That(await StoredContentsAsync(room), Is.EqualTo(new[] { text }));
        var history = await HistoryAsync(bob, """{"type": "history"}""");
        Assert.That(history.GetProperty("messages")[0].GetProperty("message").GetString(), Is.EqualTo(text));
    }

    // ---------------------------------------------------------------- cases

    private static IEnumerable<TestCaseData> InvalidJsonFrames()
    {
        yield return new TestCaseData("nope").SetArgDisplayNames("nope");
        yield return new TestCaseData("""{"type": "send", "message": "trunc""").SetArgDisplayNames("truncated JSON");
        yield return new TestCaseData("""{"type": "ping"}}""").SetArgDisplayNames("an extra brace");
        yield return new TestCaseData(new string(' ', 16 * 1024)).SetArgDisplayNames("16 KiB of whitespace");
        yield return new TestCaseData(new string('[', 100) + new string(']', 100)).SetArgDisplayNames("arrays nested 100 deep");
        yield return new TestCaseData("""{"type": "ping", "x": """ + Repeat("""{"a": """, 100) + "1" + new string('}', 101))
            .SetArgDisplayNames("objects nested 100 deep inside a frame");
    }

    private static IEnumerable<TestCaseData> InvalidFrames()
    {
        TestCaseData Case(string text, string name, string? echoed = null) =>
            new TestCaseData(text, echoed).SetArgDisplayNames(name);

        yield return Case("[1]", "an array");
        yield return Case("\"str\"", "a string");
        yield return Case("42", "a number");
        yield return Case("{}", "an empty object");
        yield return Case("""{"room": "r"}""", "neither type nor message");
        yield return Case("""{"clientMsgId": "c-shape"}""", "neither type nor message, with a clientMsgId", "c-shape");
        yield return Case("""{"type": 5}""", "type a number");
        yield return Case("""{"type": "join", "room": 5}""", "room a number");
        yield return Case("""{"type": "send", "room": 5, "message": "hi", "clientMsgId": "c-room5"}""", "send with room a number", "c-room5");
        yield return Case("""{"message": 5}""", "message a number");
        yield return Case("""{"type": "send", "message": 5, "clientMsgId": "c-msg5"}""", "send with message a number", "c-msg5");
        yield return Case("""{"type": "join", "room": "r", "since": "3"}""", "since a string");
        yield return Case("""{"type": "join", "room": "r", "since": -1}""", "since negative");
        yield return Case("""{"type": "join", "room": "r", "since": 2.5}""", "since a fraction");
        yield return Case("""{"type": "history", "limit": 0}""", "limit 0");
        yield return Case("""{"type": "history", "limit": 201}""", "limit 201");
        yield return Case("""{"type": "history", "before": 0}""", "before 0");
        yield return Case("""{"type": "send", "message": "hi", "clientMsgId": "REPLACE"}""".Replace("REPLACE", new string('x', 65), StringComparison.Ordinal),
            "clientMsgId of 65 code points");
        yield return Case("""{"type": "send", "message": "hi", "clientMsgId": "REPLACE"}""".Replace("REPLACE", Repeat(Emoji, 65), StringComparison.Ordinal),
            "clientMsgId of 65 astral code points");
        yield return Case("""{"type": "send", "message": "hi", "clientMsgId": ""}""", "empty clientMsgId");
        yield return Case("""{"type": "send", "message": "hi", "clientMsgId": 7}""", "clientMsgId a number");
        yield return Case("""{"type": null}""", "type null");
        yield return Case("""{"message": null}""", "message null");
        yield return Case("""{"type": "send", "room": null, "message": "hi"}""", "room null");
        yield return Case("""{"type": "send", "message": "hi", "clientMsgId": null}""", "clientMsgId null");
        yield return Case("""{"type": "join", "room": "r", "since": null}""", "since null");
        yield return Case("""{"type": "history", "limit": null}""", "limit null");
        yield return Case("""{"message": "a\u0000b"}""", "tutorial message holding U+0000");
        yield return Case("""{"type": "send", "message": "\u0000", "clientMsgId": "c-nul"}""", "send holding U+0000", "c-nul");
        yield return Case("""{"type": "send", "message": "a", "message": "b"}""", "duplicate message keys");
        yield return Case("""{"type": "ping", "type": "ping"}""", "duplicate type keys");
        yield return Case("""{"type": "send"}""", "send without message");
        yield return Case("""{"type": "join"}""", "join without room");
        yield return Case("""{"type": "leave"}""", "leave without room");
    }

    private static IEnumerable<TestCaseData> BadRoomNames()
    {
        yield return new TestCaseData("").SetArgDisplayNames("empty");
        yield return new TestCaseData("bad room").SetArgDisplayNames("a space");
        yield return new TestCaseData(new string('r', 65)).SetArgDisplayNames("65 characters");
        yield return new TestCaseData("a/b").SetArgDisplayNames("a slash");
        yield return new TestCaseData("team-*").SetArgDisplayNames("a star");
        yield return new TestCaseData("caf\u00e9").SetArgDisplayNames("a non-ASCII letter");
    }

    private static IEnumerable<TestCaseData> VerbatimTexts()
    {
        yield return new TestCaseData("'; DROP TABLE messages; --").SetArgDisplayNames("SQL-looking");
        yield return new TestCaseData("<script>alert(1)</script>").SetArgDisplayNames("HTML");
        yield return new TestCaseData("\U0001F600\U0001F44D\U0001F3FD \U0001F468\u200d\U0001F469\u200d\U0001F467").SetArgDisplayNames("emoji");
        yield return new TestCaseData("\u05e9\u05dc\u05d5\u05dd \u200f\u0645\u0631\u062d\u0628\u0627 abc").SetArgDisplayNames("RTL text");
        yield return new TestCaseData("  spaced out \t\n").SetArgDisplayNames("leading and trailing whitespace");
        yield return new TestCaseData("\"quoted\" \\ back\\slash %s {0} $1").SetArgDisplayNames("JSON and format specials");
    }

    // ---------------------------------------------------------------- helpers

    private const string TimestampPattern = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$";

    private Task<ChatClient> ConnectAsync(string? room = null, string? token = null, ChatNode? node = null) =>
        (node ?? Node).ConnectAsync(token ?? TestTokens.For("20", "tester"), path: $"/ws/chat/{room ?? Rooms.Unique("fe")}");

    /// <summary>The next frame is exactly this error, and the connection still answers a ping.</summary>
    private static async Task ExpectErrorAsync(ChatClient client, string code, string? clientMsgId = null)
    {
        var frame = await client.ReceiveAsync();
        Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("error"), frame.ToString());
        Assert.That(frame.GetProperty("code").GetString(), Is.EqualTo(code), frame.ToString());
        Assert.That(frame.GetProperty("message").ValueKind, Is.EqualTo(JsonValueKind.String), frame.ToString());
        Assert.That(frame.GetProperty("message").GetString(), Is.Not.Empty);
        if (clientMsgId is null)
        {
            Assert.That(Names(frame), Is.EquivalentTo(new[] { "type", "code", "message" }), frame.ToString());
        }
        else
        {
            Assert.That(Names(frame), Is.EquivalentTo(new[] { "type", "code", "message", "clientMsgId" }), frame.ToString());
            Assert.That(frame.GetProperty("clientMsgId").GetString(), Is.EqualTo(clientMsgId));
        }

        await client.ExpectNothingPendingAsync();
    }

    private static void AssertMessage(JsonElement m, string room, long seq, string user, string userId, string text, string? clientMsgId)
    {
        var names = new List<string> { "type", "id", "room", "seq", "user", "userId", "message", "timestamp" };
        if (clientMsgId is not null)
        {
            names.Add("clientMsgId");
        }

        Assert.That(Names(m), Is.EquivalentTo(names), m.ToString());
        Assert.That(m.GetProperty("type").GetString(), Is.EqualTo("message"));
        Assert.That(m.GetProperty("id").GetInt64(), Is.Positive);
        Assert.That(m.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(m.GetProperty("seq").GetInt64(), Is.EqualTo(seq));
        Assert.That(m.GetProperty("user").GetString(), Is.EqualTo(user));
        Assert.That(m.GetProperty("userId").GetString(), Is.EqualTo(userId));
        Assert.That(m.GetProperty("message").GetString(), Is.EqualTo(text));
        Assert.That(m.GetProperty("timestamp").GetString(), Does.Match(TimestampPattern));
        if (clientMsgId is not null)
        {
            Assert.That(m.GetProperty("clientMsgId").GetString(), Is.EqualTo(clientMsgId));
        }
    }

    private static async Task<JsonElement> HistoryAsync(ChatClient client, string request)
    {
        await client.SendTextAsync(request);
        return await client.ReceiveTypeAsync("history");
    }

    private static async Task<List<JsonElement>> ReadUntilCloseAsync(ChatClient client)
    {
        var frames = new List<JsonElement>();
        while (true)
        {
            try
            {
                frames.Add(await client.ReceiveAsync());
            }
            catch (InvalidOperationException)
            {
                return frames; // the socket closed
            }
        }
    }

    /// <summary>Stores messages m1..mN straight through the node's store, as user 900 "seeder".</summary>
    private async Task SeedAsync(string room, int count)
    {
        var writer = Node.Services.GetRequiredService<GroupCommitWriter>();
        for (var i = 1; i <= count; i++)
        {
            await writer.AppendAsync(new NewMessage(room, "900", "seeder", $"m{i}", null));
        }
    }

    private static async Task<string[]> StoredContentsAsync(string room)
    {
        await using var db = new NpgsqlConnection(await SharedDatabase.GetAsync());
        return [.. await db.QueryAsync<string>("SELECT content FROM messages WHERE room = @room ORDER BY seq", new { room })];
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.ExecuteAsync(sql);
    }

    private static string SendFrame(string text, string clientMsgId) =>
        JsonSerializer.Serialize(new { type = "send", message = text, clientMsgId });

    private static string Repeat(string s, int count) => string.Concat(Enumerable.Repeat(s, count));

    private static string[] Names(JsonElement frame) => [.. frame.EnumerateObject().Select(p => p.Name)];

    private static long[] Seqs(JsonElement history) =>
        [.. history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64())];

    private static long[] Range(long from, long to) => [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i)];
}
