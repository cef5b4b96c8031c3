using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using RawChat.Tests.Support;
using StackExchange.Redis;

namespace RawChat.Tests.Fanout;

/// <summary>
/// Something else on the Redis network (or a bug) publishes on a room's channels: nothing of it
/// reaches a client, each envelope is counted in <c>rawchat_bus_envelopes_dropped_total</c> and
/// logged rarely without its bytes, and the room goes on as before.
/// </summary>
public sealed class BusEnvelopeDropTests
{
    private const string Marker = "NOT-FROM-RAWCHAT";

    private readonly LogCapture _logsA = new();
    private readonly LogCapture _logsB = new();
    private ChatNode _a = null!;
    private ChatNode _b = null!;
    private ConnectionMultiplexer _intruder = null!;

    [OneTimeSetUp]
    public async Task StartNodesAsync()
    {
        // Nodes of their own, so their counters start at zero.
        _a = await ChatNode.StartAsync(logs: _logsA);
        _b = await ChatNode.StartAsync(logs: _logsB);
        _intruder = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis.ConnectionString);
    }

    [OneTimeTearDown]
    public async Task StopNodesAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _intruder.DisposeAsync();
        _logsA.Dispose();
        _logsB.Dispose();
    }

    [Test]
    public async Task Garbage_on_a_room_channel_reaches_no_client_is_counted_and_the_next_real_message_arrives_in_order()
    {
        var room = Rooms.Unique("garbage");
        await using var alice = await _a.ConnectAsync(TestTokens.For("901", "alice"), path: $"/ws/chat/{room}");
        await using var carol = await _a.ConnectAsync(TestTokens.For("903", "carol"), path: $"/ws/chat/{room}");
        await using var bob = await _b.ConnectAsync(TestTokens.For("902", "bob"), path: $"/ws/chat/{room}");
        await alice.PostAndAckAsync(room, "first", "c-1");
        foreach (var reader in new[] { carol, bob })
        {
            Assert.That((await reader.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64(), Is.EqualTo(1));
        }
        var before = await DroppedAsync("message", "invalid");

        // seq 2 is the next one: taken for real, any of these would push out the real message 2.
        var frame = MessageFrame(room, seq: 2, text: Marker);
        byte[][] garbage =
        [
            [1, 2, 3],
            Envelope(0, frame),
            Envelope(-2, frame),
            Envelope(2, Encoding.UTF8.GetBytes($"{Marker}, not JSON")),
            Envelope(2, MessageFrame(Rooms.Unique("elsewhere"), seq: 2, text: Marker)),
            Envelope(2, MessageFrame(room, seq: 3, text: Marker)),
            Envelope(2, [.. frame, .. " {}"u8]),
            Envelope(2, BrokenUtf8(MessageFrame(room, seq: 2, text: $"{Marker} é"))),
            Envelope(2, [.. Encoding.UTF8.GetBytes(Marker), .. new byte[4 * 1024 * 1024]]),
        ];
        foreach (var envelope in garbage)
        {
            var heard = await _intruder.GetSubscriber().PublishAsync(RedisChannel.Literal("rawchat:room:" + room), envelope);
            Assert.That(heard, Is.EqualTo(2), "both nodes hold the room and got the envelope");
        }

        await Eventually.ThatAsync(() => DroppedAsync("message", "invalid"), Is.EqualTo(before.Select(n => n + garbage.Length)),
            "dropped envelopes on nodes A and B: each node counts every envelope it dropped");
        await alice.PostAndAckAsync(room, "second", "c-2");

        foreach (var reader in new[] { carol, bob })
        {
            var next = await reader.ReceiveTypeAsync("message");
            Assert.That((next.GetProperty("seq").GetInt64(), next.GetProperty("message").GetString()), Is.EqualTo((2L, "second")));
            await reader.ExpectNothingPendingAsync();
        }
        AssertLoggedRarelyAndWithoutBytes("message");
    }

    [Test]
    public async Task Garbage_on_a_room_presence_channel_reaches_no_subscriber_is_counted_and_typing_after_it_arrives()
    {
        var room = Rooms.Unique("presgarbage");
        await using var typist = await _a.ConnectAsync(TestTokens.For("911", "typist"), path: $"/ws/chat/{room}");
        await using var watcher = await _b.ConnectAsync(TestTokens.For("912", "watcher"), path: $"/ws/chat/{room}");
        await watcher.SendAsync(new { type = "presence", room, subscribe = true });
        await watcher.ReceiveTypeAsync("presence");
        var before = await DroppedAsync("presence", "invalid");

        var origin = Guid.NewGuid().ToByteArray();
        byte[] Presence(string json) => [.. origin, .. Encoding.UTF8.GetBytes(json)];
        byte[][] garbage =
        [
            [1, 2, 3],
            origin,
            Presence($"{Marker}, not JSON"),
            Presence($$"""{"type":"typing","room":"{{Rooms.Unique("elsewhere")}}","user":"{{Marker}}","userId":"1"}"""),
            Presence($$"""{"type":"presence","room":"{{room}}","users":[{"user":"{{Marker}}","userId":"1"}]}"""),
            Presence($$"""{"type":"presence","room":"{{room}}","event":"crash","user":"{{Marker}}","userId":"1"}"""),
            [.. origin, .. MessageFrame(room, seq: 1, text: Marker)],
            [.. origin, .. BrokenUtf8(Encoding.UTF8.GetBytes($$"""{"type":"typing","room":"{{room}}","user":"{{Marker}} é","userId":"1"}"""))],
            [.. origin, .. Encoding.UTF8.GetBytes(Marker), .. new byte[4 * 1024 * 1024]],
        ];
        foreach (var envelope in garbage)
        {
            var heard = await _intruder.GetSubscriber().PublishAsync(RedisChannel.Literal("rawchat:presence-events:" + room), envelope);
            Assert.That(heard, Is.EqualTo(1), "node B listens to the room's presence events");
        }

        await Eventually.ThatAsync(async () => (await DroppedAsync("presence", "invalid"))[1], Is.EqualTo(before[1] + garbage.Length),
            "dropped envelopes on node B: it counts every envelope");
        await typist.SendAsync(new { type = "typing", room });

        var typing = await watcher.ReceiveTypeAsync("typing");
        Assert.That(typing.GetProperty("user").GetString(), Is.EqualTo("typist"));
        await watcher.ExpectNothingPendingAsync();
        AssertLoggedRarelyAndWithoutBytes("presence");
    }

    /// <summary>rawchat_bus_envelopes_dropped_total{channel,reason} on node A, then node B.</summary>
    private async Task<double[]> DroppedAsync(string channel, string reason)
    {
        var series = $$"""rawchat_bus_envelopes_dropped_total{channel="{{channel}}",reason="{{reason}}"}""";
        return [(await _a.ScrapeAsync())[series], (await _b.ScrapeAsync())[series]];
    }

    /// <summary>At most one warning a minute per node and channel kind (EventId 240), and never a byte of the garbage.</summary>
    private void AssertLoggedRarelyAndWithoutBytes(string channel)
    {
        foreach (var logs in new[] { _logsA, _logsB })
        {
            Assert.That(logs.Lines.Where(l => l.Contains("[240]", StringComparison.Ordinal) && l.Contains($"Channel={channel}", StringComparison.Ordinal)).Count(),
                Is.LessThanOrEqualTo(1));
            Assert.That(logs.Lines.Where(l => l.Contains(Marker, StringComparison.Ordinal)), Is.Empty);
        }
    }

    /// <summary>A message frame as a node writes it, with this seq and text.</summary>
    private static byte[] MessageFrame(string room, long seq, string text) => Encoding.UTF8.GetBytes(
        $$"""{"type":"message","id":{{seq}},"room":"{{room}}","seq":{{seq}},"user":"mallory","userId":"666","message":"{{text}}","timestamp":"2026-01-01T00:00:00.000000Z"}""");

    private static byte[] Envelope(long seq, byte[] frame)
    {
        var envelope = new byte[8 + frame.Length];
        BinaryPrimitives.WriteInt64LittleEndian(envelope, seq);
        frame.CopyTo(envelope, 8);
        return envelope;
    }

    /// <summary>Cuts the frame's one two-byte UTF-8 sequence (é) short: a browser closes the socket on such a text frame.</summary>
    private static byte[] BrokenUtf8(byte[] frame)
    {
        frame[Array.IndexOf(frame, (byte)0xC3) + 1] = (byte)'!';
        return frame;
    }
}
