using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;
using StackExchange.Redis;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// Presence and typing (docs/protocol.md, "Presence and typing"): opt-in, across nodes, kept in Redis with
/// an expiry so a crashed node's users disappear.
/// </summary>
public sealed class PresenceTests() : TwoNodeFixture(Settings)
{
    // A heartbeat every second, so lost entries come back and a crashed node's are swept within
    // seconds; an expiry that still rides out a stall of several seconds on a busy machine. Typing
    // refills slowly, so the rate-limit test counts exactly the burst.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Presence:TtlSeconds"] = "6",
        ["Presence:HeartbeatSeconds"] = "1",
        ["Chat:TypingPerSecond"] = "0.2",
        ["Chat:TypingBurst"] = "3",
    };

    [Test]
    public async Task Presence_lists_the_users_on_both_nodes_and_a_user_with_two_sockets_once()
    {
        var room = Rooms.Unique("who");
        await using var alice = await A.ConnectAsync(TestTokens.For("501", "alice"), path: $"/ws/chat/{room}");
        await using var aliceAgain = await B.ConnectAsync(TestTokens.For("501", "alice"));
        await aliceAgain.SendAsync(new { type = "join", room });
        await aliceAgain.ReceiveTypeAsync("joined");
        await aliceAgain.ReceiveTypeAsync("history");
        await using var bob = await B.ConnectAsync(TestTokens.For("502", "bob"), path: $"/ws/chat/{room}");

        await bob.SendAsync(new { type = "presence", room });
        var answer = await bob.ReceiveTypeAsync("presence");

        Assert.That(answer.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(Users(answer), Is.EquivalentTo(new[] { ("501", "alice"), ("502", "bob") }));
        await bob.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Presence_without_a_room_answers_for_the_connection_room()
    {
        var room = Rooms.Unique("home");
        await using var carol = await A.ConnectAsync(TestTokens.For("503", "carol"), path: $"/ws/chat/{room}");

        await carol.SendTextAsync("""{"type": "presence"}""");

        var answer = await carol.ReceiveTypeAsync("presence");
        Assert.That(answer.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(Users(answer), Is.EqualTo(new[] { ("503", "carol") }));
    }

    [Test]
    public async Task Subscribe_streams_join_and_leave_from_the_other_node_when_the_first_socket_comes_and_the_last_goes()
    {
        var room = Rooms.Unique("events");
        await using var watcher = await A.ConnectAsync(TestTokens.For("511", "watcher"), path: $"/ws/chat/{room}");
        await watcher.SendAsync(new { type = "presence", room, subscribe = true });
        Assert.That(Users(await watcher.ReceiveTypeAsync("presence")), Is.EqualTo(new[] { ("511", "watcher") }));

        var bob = await B.ConnectAsync(TestTokens.For("512", "bob"), path: $"/ws/chat/{room}");
        Assert.That(Event(await watcher.ReceiveTypeAsync("presence")), Is.EqualTo(("join", "512", "bob")));

        await using var bobAgain = await B.ConnectAsync(TestTokens.For("512", "bob"), path: $"/ws/chat/{room}");
        await bob.DisposeAsync();
        await bobAgain.SendAsync(new { type = "leave", room });
        await bobAgain.ReceiveTypeAsync("left");

        Assert.That(Event(await watcher.ReceiveTypeAsync("presence")), Is.EqualTo(("leave", "512", "bob")),
            "one leave, when bob's last socket left; the first socket's close and the second connect said nothing");
        await watcher.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Unsubscribe_answers_the_list_and_stops_the_events()
    {
        var room = Rooms.Unique("unsub");
        await using var watcher = await A.ConnectAsync(TestTokens.For("521", "watcher"), path: $"/ws/chat/{room}");
        await watcher.SendAsync(new { type = "presence", room, subscribe = true });
        await watcher.ReceiveTypeAsync("presence");
        await watcher.SendAsync(new { type = "presence", room, subscribe = false });
        await watcher.ReceiveTypeAsync("presence");

        await using var bob = await B.ConnectAsync(TestTokens.For("522", "bob"), path: $"/ws/chat/{room}");
        await bob.SendAsync(new { type = "typing", room });

        // bob's presence is in Redis once his socket is open; ask for it, so the join had its chance.
        await watcher.SendAsync(new { type = "presence", room });
        Assert.That(Users(await watcher.ReceiveTypeAsync("presence")), Has.Length.EqualTo(2));
        await watcher.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Typing_reaches_presence_subscribers_on_both_nodes_but_not_the_typist_or_others_and_is_never_stored()
    {
        var room = Rooms.Unique("typing");
        await using var typist = await A.ConnectAsync(TestTokens.For("531", "typist"), path: $"/ws/chat/{room}");
        await using var near = await A.ConnectAsync(TestTokens.For("532", "near"), path: $"/ws/chat/{room}");
        await using var far = await B.ConnectAsync(TestTokens.For("533", "far"), path: $"/ws/chat/{room}");
        await using var plain = await B.ConnectAsync(TestTokens.For("534", "plain"), path: $"/ws/chat/{room}");
        foreach (var client in new[] { typist, near, far })
        {
            await client.SendAsync(new { type = "presence", room, subscribe = true });
            Assert.That(Users(await client.ReceiveTypeAsync("presence")), Has.Length.EqualTo(4));
        }

        await typist.SendAsync(new { type = "typing", room });

        foreach (var subscriber in new[] { near, far })
        {
            var typing = await subscriber.ReceiveTypeAsync("typing");
            Assert.That(typing.GetProperty("room").GetString(), Is.EqualTo(room));
            Assert.That(typing.GetProperty("user").GetString(), Is.EqualTo("typist"));
            Assert.That(typing.GetProperty("userId").GetString(), Is.EqualTo("531"));
        }

        await typist.ExpectNothingPendingAsync();
        await plain.ExpectNothingPendingAsync();
        await plain.SendAsync(new { type = "history", room });
        var history = await plain.ReceiveTypeAsync("history");
        Assert.That(history.GetProperty("messages").GetArrayLength(), Is.Zero, "typing is never stored");
    }

    [Test]
    public async Task Typing_past_its_rate_limit_is_dropped_without_an_answer()
    {
        var room = Rooms.Unique("typingrate");
        await using var typist = await A.ConnectAsync(TestTokens.For("541", "typist"), path: $"/ws/chat/{room}");
        await using var watcher = await A.ConnectAsync(TestTokens.For("542", "watcher"), path: $"/ws/chat/{room}");
        await watcher.SendAsync(new { type = "presence", room, subscribe = true });
        await watcher.ReceiveTypeAsync("presence");

        for (var i = 0; i < 10; i++)
        {
            await typist.SendAsync(new { type = "typing", room });
        }

        await typist.ExpectNothingPendingAsync(); // all ten handled, none answered
        for (var i = 0; i < 3; i++)
        {
            await watcher.ReceiveTypeAsync("typing");
        }

        await watcher.ExpectNothingPendingAsync(); // the burst of 3 went through, the other 7 were dropped
        await typist.PostAndAckAsync(room, "posting still works", "c-after-typing");
    }

    [Test]
    public async Task A_tutorial_client_that_asked_for_nothing_gets_only_message_frames()
    {
        var room = Rooms.Unique("tutorial");
        await using var tutorial = await ChatClient.ConnectAsync(
            A.Chat($"/ws/chat/{room}/?token={TestTokens.For("551", "tutorial")}"));
        await using var watcher = await B.ConnectAsync(TestTokens.For("552", "watcher"), path: $"/ws/chat/{room}");
        await watcher.SendAsync(new { type = "presence", room, subscribe = true });
        await watcher.ReceiveTypeAsync("presence");

        var visitor = await A.ConnectAsync(TestTokens.For("553", "visitor"), path: $"/ws/chat/{room}");
        Assert.That(Event(await watcher.ReceiveTypeAsync("presence")), Is.EqualTo(("join", "553", "visitor")));
        await visitor.SendAsync(new { type = "typing", room });
        await watcher.ReceiveTypeAsync("typing");
        await visitor.DisposeAsync();
        Assert.That(Event(await watcher.ReceiveTypeAsync("presence")), Is.EqualTo(("leave", "553", "visitor")));
        await watcher.SendAsync(new { message = "hello tutorial" });

        var message = await tutorial.ReceiveAsync();
        Assert.That(message.GetProperty("type").GetString(), Is.EqualTo("message"));
        Assert.That(message.GetProperty("message").GetString(), Is.EqualTo("hello tutorial"));
        await tutorial.ExpectNothingPendingAsync();
    }

    [TestCase("presence")]
    [TestCase("typing")]
    public async Task Presence_and_typing_need_a_valid_allowed_and_joined_room(string type)
    {
        var room = Rooms.Unique("ok");
        await using var client = await A.ConnectAsync(TestTokens.For("561", "limited", rooms: ["ok-*"]), path: $"/ws/chat/{room}");

        foreach (var (target, code) in new[]
        {
            ("bad room", "invalid_room"),
            ("elsewhere", "forbidden_room"),
            (Rooms.Unique("ok"), "not_joined"),
        })
        {
            await client.SendAsync(new { type, room = target, clientMsgId = "c-" + code });
            var error = await client.ReceiveTypeAsync("error");
            Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(code));
            Assert.That(error.GetProperty("clientMsgId").GetString(), Is.EqualTo("c-" + code));
        }

        await client.SendAsync(new { type = "leave", room });
        await client.ReceiveTypeAsync("left");
        await client.SendAsync(new { type, room });
        Assert.That((await client.ReceiveTypeAsync("error")).GetProperty("code").GetString(), Is.EqualTo("not_joined"),
            "after leaving the room");
    }

    [Test]
    public async Task Users_of_a_crashed_node_disappear_from_presence_after_the_expiry_with_a_leave_event()
    {
        var environment = await ApiProcess.DefaultEnvironmentAsync();
        environment["Presence__TtlSeconds"] = "4";
        environment["Presence__HeartbeatSeconds"] = "1";
        await using var doomed = ApiProcess.Start(environment);
        await doomed.WaitUntilReadyAsync();
        var room = Rooms.Unique("crash");
        await using var survivor = await A.ConnectAsync(TestTokens.For("571", "survivor"), path: $"/ws/chat/{room}");
        await using var dave = await ChatClient.ConnectAsync(new Uri(doomed.WsBase, $"/ws/chat/{room}?token={TestTokens.For("572", "dave")}"));
        await survivor.SendAsync(new { type = "presence", room, subscribe = true });
        Assert.That(Users(await survivor.ReceiveTypeAsync("presence")), Is.EquivalentTo(new[] { ("571", "survivor"), ("572", "dave") }));

        doomed.Signal("KILL"); // no leave path runs: dave's entry stays in Redis until it expires
        await doomed.WaitForExitAsync();

        await using var poller = await B.ConnectAsync(TestTokens.For("573", "poller"), path: $"/ws/chat/{room}");
        await Eventually.ThatAsync(async () =>
        {
            await poller.SendAsync(new { type = "presence", room });
            return Users(await poller.ReceiveTypeAsync("presence"));
        }, Does.Not.Contain(("572", "dave")), "the room's users: dave is no longer listed once his crashed node's entry expired",
            TimeSpan.FromSeconds(30));

        await poller.SendAsync(new { type = "presence", room });
        Assert.That(Users(await poller.ReceiveTypeAsync("presence")), Is.EquivalentTo(new[] { ("571", "survivor"), ("573", "poller") }));
        var frames = await survivor.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "presence"
            && f.TryGetProperty("event", out var e) && e.GetString() == "leave");
        Assert.That(Event(frames[^1]), Is.EqualTo(("leave", "572", "dave")), "a heartbeat's sweep announced dave's leave");
    }

    [Test]
    public async Task Presence_lost_in_Redis_comes_back_at_the_next_heartbeat_with_join_events()
    {
        var room = Rooms.Unique("lost");
        await using var watcher = await A.ConnectAsync(TestTokens.For("581", "watcher"), path: $"/ws/chat/{room}");
        await using var bob = await B.ConnectAsync(TestTokens.For("582", "bob"), path: $"/ws/chat/{room}");
        await watcher.SendAsync(new { type = "presence", room, subscribe = true });
        Assert.That(Users(await watcher.ReceiveTypeAsync("presence")), Has.Length.EqualTo(2));

        // As after a Redis restart without persistence: every entry of the room is gone.
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis.ConnectionString))
        {
            Assert.That(await redis.GetDatabase().KeyDeleteAsync("rawchat:presence:" + room), Is.True);
        }

        var joins = new List<(string, string, string)>();
        while (joins.Count < 2)
        {
            var frame = await watcher.ReceiveTypeAsync("presence");
            joins.Add(Event(frame));
        }

        Assert.That(joins, Is.EquivalentTo(new[] { ("join", "581", "watcher"), ("join", "582", "bob") }),
            "each node put its entries back and announced them");
        await watcher.SendAsync(new { type = "presence", room });
        Assert.That(Users(await watcher.ReceiveTypeAsync("presence")), Is.EquivalentTo(new[] { ("581", "watcher"), ("582", "bob") }));
    }

    private static (string UserId, string Name)[] Users(JsonElement presence) =>
        [.. presence.GetProperty("users").EnumerateArray().Select(u => (u.GetProperty("userId").GetString()!, u.GetProperty("user").GetString()!))];

    private static (string Event, string UserId, string Name) Event(JsonElement presence) =>
        (presence.GetProperty("event").GetString()!, presence.GetProperty("userId").GetString()!, presence.GetProperty("user").GetString()!);
}
