using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>The close codes and reason texts of docs/protocol.md §2.3, as a real client sees them.</summary>
public sealed class CloseCodeTests : NodeFixture
{
    private const int MaxMessageBytes = 16 * 1024;

    [Test]
    public async Task Binary_frame_closes_1003_binary_not_supported()
    {
        await using var client = await ConnectAsync(Node);

        await client.SendRawAsync([0x7b, 0x7d, 0x00, 0xff], WebSocketMessageType.Binary);

        await ExpectCloseAsync(client, WebSocketCloseStatus.InvalidMessageType, "binary_not_supported");
    }

    [Test]
    public async Task Message_of_exactly_16384_bytes_is_accepted()
    {
        var room = Rooms.Unique("big-ok");
        await using var client = await ConnectAsync(Node, room);
        var frame = Padded("""{"message": "padded to the limit" """, "}", MaxMessageBytes);

        await client.SendRawAsync(frame, WebSocketMessageType.Text);

        var message = await client.ReceiveTypeAsync("message");
        Assert.That(message.GetProperty("message").GetString(), Is.EqualTo("padded to the limit"));
        Assert.That(message.GetProperty("room").GetString(), Is.EqualTo(room));
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Message_of_16385_bytes_closes_1009_message_too_big()
    {
        await using var client = await ConnectAsync(Node);
        var frame = Padded("""{"message": "one byte over" """, "}", MaxMessageBytes + 1);

        await client.SendRawAsync(frame, WebSocketMessageType.Text);

        await ExpectCloseAsync(client, WebSocketCloseStatus.MessageTooBig, "message_too_big");
    }

    [Test]
    public async Task Message_far_over_the_limit_closes_1009_message_too_big()
    {
        await using var client = await ConnectAsync(Node);

        await client.SendRawAsync(Padded("""{"message": "x" """, "}", 100_000), WebSocketMessageType.Text);

        await ExpectCloseAsync(client, WebSocketCloseStatus.MessageTooBig, "message_too_big");
    }

    [Test]
    public async Task Message_whose_fragments_together_exceed_the_limit_closes_1009_message_too_big()
    {
        await using var client = await ConnectAsync(Node);
        var whole = Padded("""{"message": "in pieces" """, "}", 18_000);

        // Each fragment is well under the limit; only the reassembled message is over it.
        await client.SendRawAsync(whole[..6_000], WebSocketMessageType.Text, endOfMessage: false);
        await client.SendRawAsync(whole[6_000..12_000], WebSocketMessageType.Text, endOfMessage: false);
        await client.SendRawAsync(whole[12_000..], WebSocketMessageType.Text, endOfMessage: true);

        await ExpectCloseAsync(client, WebSocketCloseStatus.MessageTooBig, "message_too_big");
    }

    [Test]
    public async Task Message_in_fragments_within_the_limit_is_reassembled_and_accepted()
    {
        var room = Rooms.Unique("pieces");
        await using var client = await ConnectAsync(Node, room);
        var whole = Padded("""{"type": "send", "message": "reassembled", "clientMsgId": "c-frag" """, "}", MaxMessageBytes);

        await client.SendRawAsync(whole[..10], WebSocketMessageType.Text, endOfMessage: false);
        await client.SendRawAsync(whole[10..9_000], WebSocketMessageType.Text, endOfMessage: false);
        await client.SendRawAsync(whole[9_000..], WebSocketMessageType.Text, endOfMessage: true);

        Assert.That((await client.ReceiveTypeAsync("ack")).GetProperty("clientMsgId").GetString(), Is.EqualTo("c-frag"));
        Assert.That((await client.ReceiveTypeAsync("message")).GetProperty("message").GetString(), Is.EqualTo("reassembled"));
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Invalid_utf8_in_a_text_frame_closes_1007_invalid_utf8_and_the_node_serves_on()
    {
        await using var client = await ConnectAsync(Node);

        await client.SendRawAsync(InvalidUtf8Frame(), WebSocketMessageType.Text);

        var (status, reason) = await client.WaitForCloseAsync();
        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.InvalidPayloadData));
        Assert.That(reason, Is.EqualTo("invalid_utf8"));
        await using var next = await ConnectAsync(Node);
        await next.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Invalid_utf8_split_over_fragments_closes_1007_invalid_utf8()
    {
        await using var client = await ConnectAsync(Node);
        var frame = InvalidUtf8Frame();
        var split = Array.IndexOf(frame, (byte)0xC3) + 1; // between the lead byte and the bad one

        await client.SendRawAsync(frame[..split], WebSocketMessageType.Text, endOfMessage: false);
        await client.SendRawAsync(frame[split..], WebSocketMessageType.Text);

        var (status, reason) = await client.WaitForCloseAsync();
        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.InvalidPayloadData));
        Assert.That(reason, Is.EqualTo("invalid_utf8"));
    }

    [Test]
    public async Task A_character_split_between_two_fragments_is_read_whole()
    {
        var room = Rooms.Unique("frag");
        await using var client = await ConnectAsync(Node, room: room);
        var frame = Encoding.UTF8.GetBytes("""{"message": "안녕 😀"}""");
        var split = Array.IndexOf(frame, (byte)0xF0) + 2; // inside the emoji's four bytes

        await client.SendRawAsync(frame[..split], WebSocketMessageType.Text, endOfMessage: false);
        await client.SendRawAsync(frame[split..], WebSocketMessageType.Text);

        var message = await client.ReceiveTypeAsync("message");
        Assert.That(message.GetProperty("message").GetString(), Is.EqualTo("안녕 😀"));
    }

    [Test]
    public async Task Token_expiring_on_a_live_connection_closes_1008_token_expired_within_2_seconds_after_exp()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?> { ["Jwt:ClockSkewSeconds"] = "0" });
        var lifetime = TimeSpan.FromSeconds(3);
        var clock = Stopwatch.StartNew();
        var claims = TestTokens.Claims("61", "eve", lifetime: lifetime);
        var exp = DateTimeOffset.FromUnixTimeSeconds((long)claims["exp"]!);
        await using var client = await ConnectAsync(node, token: TestTokens.SignHs256(claims));
        await client.ExpectNothingPendingAsync(); // the socket is live before it expires

        var (status, reason) = await client.WaitForCloseAsync(TimeSpan.FromSeconds(60));
        var closedAt = DateTimeOffset.UtcNow;
        var elapsed = clock.Elapsed;

        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(reason, Is.EqualTo("token_expired"));
        Assert.That(closedAt, Is.GreaterThanOrEqualTo(exp.AddMilliseconds(-100)), "closed before the token expired");
        Assert.That(elapsed, Is.LessThan(lifetime + TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(3)),
            "the close must come within 2 s after exp (plus 3 s slack for a loaded machine)");
    }

    [Test]
    public async Task Server_shutdown_closes_every_open_socket_1001_going_away()
    {
        var node = await ChatNode.StartAsync();
        try
        {
            await using var alice = await ConnectAsync(node, Rooms.Unique("bye-a"), TestTokens.For("62", "alice"));
            await using var bob = await ConnectAsync(node, Rooms.Unique("bye-b"), TestTokens.For("63", "bob"));
            await alice.ExpectNothingPendingAsync();
            await bob.ExpectNothingPendingAsync();

            var stopping = node.StopAsync();
            var closes = await Task.WhenAll(alice.WaitForCloseAsync(), bob.WaitForCloseAsync());
            await stopping;

            foreach (var (status, reason) in closes)
            {
                Assert.That(status, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
                Assert.That(reason, Is.EqualTo("going_away"));
            }
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    private static Task<ChatClient> ConnectAsync(ChatNode node, string? room = null, string? token = null) =>
        node.ConnectAsync(token ?? TestTokens.For("60", "closer"), path: $"/ws/chat/{room ?? Rooms.Unique("close")}");

    private static async Task ExpectCloseAsync(ChatClient client, WebSocketCloseStatus status, string reason)
    {
        var (actualStatus, actualReason) = await client.WaitForCloseAsync();
        Assert.That(actualStatus, Is.EqualTo(status), $"reason was '{actualReason}'");
        Assert.That(actualReason, Is.EqualTo(reason));
    }

    /// <summary>UTF-8 JSON of exactly <paramref name="totalBytes"/> bytes: spaces between head and tail.</summary>
    private static byte[] Padded(string head, string tail, int totalBytes)
    {
        var text = head + new string(' ', totalBytes - Encoding.UTF8.GetByteCount(head + tail)) + tail;
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.That(bytes, Has.Length.EqualTo(totalBytes));
        using var _ = JsonDocument.Parse(bytes); // valid JSON, so only its size can be the problem
        return bytes;
    }

    /// <summary><c>{"message": "</c>, then 0xC3 0x28 (a lead byte followed by a non-continuation byte), then <c>"}</c>.</summary>
    private static byte[] InvalidUtf8Frame() => [.. "{\"message\": \""u8.ToArray(), 0xC3, 0x28, .. "\"}"u8.ToArray()];
}
