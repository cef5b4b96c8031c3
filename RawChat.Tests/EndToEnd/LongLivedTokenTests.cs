using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// docs/protocol.md §2.3: a live connection closes 1008 <c>token_expired</c> when its token expires, however far
/// off that is. Timers wait at most ~24.8 days; the node's clock is a <see cref="FakeTimeProvider"/> here,
/// so a month passes in a moment.
/// </summary>
public sealed class LongLivedTokenTests
{
    [TestCase(30)]
    [TestCase(400)] // past what one timer may wait at all (2^32 - 2 ms, ~49.7 days)
    public async Task Token_valid_for_days_keeps_its_socket_open_until_the_day_before_and_closes_it_1008_token_expired_after_exp(int days)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await ChatNode.StartAsync(
            configure: builder => builder.Services.AddSingleton<TimeProvider>(clock));
        var skew = TimeSpan.FromSeconds(30); // Jwt:ClockSkewSeconds, default
        var claims = TestTokens.Claims("71", "mona");
        claims["exp"] = (clock.GetUtcNow() + TimeSpan.FromDays(days)).ToUnixTimeSeconds(); // the node's clock has not moved yet
        await using var client = await node.ConnectAsync(TestTokens.SignHs256(claims));
        await PingAsync(client); // the connection runs, its expiry timer armed

        clock.Advance(TimeSpan.FromDays(days - 1));

        await PingAsync(client);
        Assert.That(client.Closed.IsCompleted, Is.False, "closed before the token expired");

        clock.Advance(TimeSpan.FromDays(1) + skew + TimeSpan.FromSeconds(2));

        var (status, reason) = await client.WaitForCloseAsync(TimeSpan.FromSeconds(60));
        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(reason, Is.EqualTo("token_expired"));
    }

    private static async Task PingAsync(ChatClient client)
    {
        await client.SendAsync(new { type = "ping" });
        await client.ReceiveTypeAsync("pong");
    }
}
