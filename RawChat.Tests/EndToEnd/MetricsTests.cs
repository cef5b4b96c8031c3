using System.Net;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary><c>/metrics</c> in the Prometheus text format: what an operator scrapes after real traffic.</summary>
public sealed class MetricsTests
{
    [Test]
    public async Task Metrics_count_connections_posts_deliveries_and_refusals_and_never_show_tokens_or_texts()
    {
        // A node of its own: its counters start at zero.
        await using var node = await ChatNode.StartAsync();
        var room = Rooms.Unique("metrics");
        var aliceToken = TestTokens.For("601", "alice");
        await using var alice = await node.ConnectAsync(aliceToken, path: $"/ws/chat/{room}");
        await using var bob = await node.ConnectAsync(TestTokens.For("602", "bob"), path: $"/ws/chat/{room}");
        const string secretText = "a message text that must not leak";
        for (var i = 1; i <= 3; i++)
        {
            await alice.PostAndAckAsync(room, $"{secretText} {i}", $"m-{i}");
        }

        var duplicate = await alice.PostAndAckAsync(room, "retry", "m-1");
        Assert.That(duplicate.GetProperty("duplicate").GetBoolean(), Is.True);
        var bobFrames = await bob.ReceiveUntilAsync(f => f.IsMessage(room, 3));
        Assert.That(bobFrames.SeqsOf(room), Is.EqualTo(new long[] { 1, 2, 3 }));
        await alice.SendTextAsync("""{"type": "dance"}""");
        await alice.ReceiveTypeAsync("error");
        var refused = await Handshake.SendAsync(node, $"/ws/chat/{room}?token=not-a-token");
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized));

        using var http = node.Http();
        using var response = await http.GetAsync("/metrics");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        var text = await response.Content.ReadAsStringAsync();
        var metrics = NodeMetrics.Parse(text);

        Assert.Multiple(() =>
        {
            Assert.That(metrics["rawchat_connections_opened_total"], Is.EqualTo(2));
            Assert.That(metrics["rawchat_connections_open"], Is.EqualTo(2));
            Assert.That(metrics["rawchat_rooms_held"], Is.EqualTo(1));
            Assert.That(metrics["rawchat_messages_received_total"], Is.EqualTo(4), "three posts and one retry reached storage");
            Assert.That(metrics["rawchat_messages_stored_total"], Is.EqualTo(3));
            Assert.That(metrics["rawchat_messages_duplicate_total"], Is.EqualTo(1));
            Assert.That(metrics["rawchat_messages_delivered_total"], Is.EqualTo(6), "three messages to two sockets");
            Assert.That(metrics["rawchat_store_duration_seconds_count"], Is.EqualTo(4));
            Assert.That(metrics["rawchat_store_duration_seconds_sum"], Is.GreaterThan(0).And.LessThan(30));
            Assert.That(metrics["""rawchat_refusals_total{kind="frame",code="unknown_type"}"""], Is.EqualTo(1));
            Assert.That(metrics["""rawchat_refusals_total{kind="http",code="invalid_token"}"""], Is.EqualTo(1));
            Assert.That(metrics["""rawchat_connections_closed_total{reason="slow_consumer"}"""], Is.Zero);
            Assert.That(metrics["""rawchat_redis_reconnects_total{connection="subscription"}"""], Is.Zero);
            Assert.That(metrics.ContainsKey("rawchat_publish_failures_total"), Is.True);
            Assert.That(metrics["""rawchat_bus_envelopes_dropped_total{channel="message",reason="invalid"}"""], Is.Zero,
                "the node's own envelopes, back from Redis, pass the check");
            Assert.That(metrics["""rawchat_bus_envelopes_dropped_total{channel="presence",reason="error"}"""], Is.Zero);
        });
        Assert.That(text, Does.Not.Contain(aliceToken).And.Not.Contain(secretText).And.Not.Contain(room),
            "no token, message text or room name in the metrics");

        // Publishes are observed when Redis answers, a moment after the ack.
        Assert.That(await Eventually.HoldsAsync(async () =>
            (await node.ScrapeAsync()).GetValueOrDefault("rawchat_publish_duration_seconds_count") == 3), Is.True);

        await bob.CloseAsync();
        await bob.WaitForCloseAsync();
        Assert.That(await Eventually.HoldsAsync(async () =>
        {
            var now = await node.ScrapeAsync();
            return now["rawchat_connections_open"] == 1
                && now.GetValueOrDefault("""rawchat_connections_closed_total{reason="normal"}""") == 1;
        }), Is.True, "bob's close is counted and the gauge follows");
    }
}
