using System.Net.WebSockets;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// docs/protocol.md §3.5's frame budget: every frame a client sends counts, whatever its kind (join,
/// leave, history, presence, typing, ping, and frames that do not parse), beside the stricter
/// posting budget; past it the frame is refused <c>rate_limited</c>, and continued sending closes 1008.
/// </summary>
public sealed class FrameBudgetTests
{
    [Test]
    public async Task Frames_of_every_kind_count_toward_the_budget_and_the_next_is_refused_rate_limited()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:FrameBurst"] = "8",
            ["Chat:FramesPerSecond"] = "0.01",
        });
        var room = Rooms.Unique("budget");
        await using var client = await node.ConnectAsync(TestTokens.For("1601", "budget"), path: $"/ws/chat/{room}");

        await client.SendAsync(new { type = "ping" });
        await client.ReceiveTypeAsync("pong");
        await client.SendAsync(new { type = "history", room });
        await client.ReceiveTypeAsync("history");
        await client.SendAsync(new { type = "join", room });
        await client.ReceiveTypeAsync("joined");
        await client.ReceiveTypeAsync("history");
        await client.SendAsync(new { type = "typing", room }); // answered by nothing, counted all the same
        await client.SendTextAsync("not json");
        await ExpectErrorAsync(client, "invalid_json", null);
        await client.SendAsync(new { type = "leave", room });
        await client.ReceiveTypeAsync("left");
        await client.SendAsync(new { type = "join", room });
        await client.ReceiveTypeAsync("joined");
        await client.ReceiveTypeAsync("history");
        await client.SendAsync(new { type = "ping" });
        await client.ReceiveTypeAsync("pong");

        // Eight frames spent: the ninth is refused, a post included, echoing its clientMsgId.
        await client.SendAsync(new { type = "ping" });
        await ExpectErrorAsync(client, "rate_limited", null);
        await client.SendAsync(new { type = "send", room, message = "over budget", clientMsgId = "c-9" });
        await ExpectErrorAsync(client, "rate_limited", "c-9");
        Assert.That(client.Socket.State, Is.EqualTo(WebSocketState.Open), "a refusal, not a close");
    }

    [Test]
    public async Task Sending_on_past_the_frame_budget_closes_1008_policy_violation()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:FrameBurst"] = "5",
            ["Chat:FramesPerSecond"] = "0.01",
            ["Chat:RateLimitStrikes"] = "10",
        });
        await using var client = await node.ConnectAsync(TestTokens.For("1602", "flooder"), path: $"/ws/chat/{Rooms.Unique("budget")}");

        for (var i = 0; i < 30 && client.Socket.State == WebSocketState.Open; i++)
        {
            await client.SendAsync(new { type = "typing" });
        }

        var (status, reason) = await client.WaitForCloseAsync();
        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(reason, Is.EqualTo("policy_violation"));
    }

    [Test]
    public async Task At_the_defaults_a_burst_of_a_hundred_frames_passes_and_a_flood_past_it_is_refused()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?> { ["Chat:RateLimitStrikes"] = "100000" });
        await using var client = await node.ConnectAsync(TestTokens.For("1603", "pinger"), path: $"/ws/chat/{Rooms.Unique("budget")}");

        const int sent = 300; // six seconds' worth at 50 frames/s, sent at once
        for (var i = 0; i < sent; i++)
        {
            await client.SendAsync(new { type = "ping" });
        }

        var answers = new List<string>();
        for (var i = 0; i < sent; i++)
        {
            var frame = await client.ReceiveAsync();
            answers.Add(frame.GetProperty("type").GetString() == "pong" ? "pong" : frame.GetProperty("code").GetString()!);
        }

        var pongs = answers.Count(a => a == "pong");
        TestContext.Out.WriteLine($"{pongs} pongs, {sent - pongs} refused");
        Assert.That(pongs, Is.InRange(100, sent - 1), "the burst of 100 passes, the flood does not");
        Assert.That(answers.Where(a => a != "pong"), Has.All.EqualTo("rate_limited"));
        Assert.That(answers.Take(100), Has.All.EqualTo("pong"), "the first hundred are the burst");
    }

    private static async Task ExpectErrorAsync(ChatClient client, string code, string? clientMsgId)
    {
        var error = await client.ReceiveTypeAsync("error");
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(code), error.ToString());
        Assert.That(error.TryGetProperty("clientMsgId", out var echoed) ? echoed.GetString() : null, Is.EqualTo(clientMsgId));
    }
}
