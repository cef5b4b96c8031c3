using System.Net.Http.Headers;
using System.Net.WebSockets;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>Secrets stay secret: no token text reaches any log line, at any level.</summary>
public sealed class TokenLoggingTests
{
    [Test]
    public async Task No_log_line_holds_a_token_across_accepted_and_refused_connects()
    {
        var logs = new LogCapture();
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            // An operator turning every log on: the token must still stay out.
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Npgsql"] = "Trace",
        }, logs: logs);
        var room = Rooms.Unique("secret");
        var good = TestTokens.For("51", "alice", rooms: [room]);
        var expired = TestTokens.For("52", "bob", lifetime: TimeSpan.FromMinutes(-10));
        var forged = TestTokens.For("53", "mallory", secret: "not-the-server-secret-0123456789abcdef");
        var forbidden = TestTokens.For("54", "eve", rooms: ["other"]);

        await using (var viaQuery = await node.ConnectAsync(good, path: $"/ws/chat/{room}"))
        {
            await viaQuery.SendTextAsync("""{"message": "hello"}""");
            await viaQuery.ReceiveTypeAsync("message");
        }

        await using (var viaHeader = await ChatClient.ConnectAsync(node.Chat($"/ws/chat/{room}"),
            o => o.SetRequestHeader("Authorization", "Bearer " + good)))
        {
            await viaHeader.ExpectNothingPendingAsync();
        }

        await using (var viaSubprotocol = await ChatClient.ConnectAsync(node.Chat($"/ws/chat/{room}"), o =>
        {
            o.AddSubProtocol("rawchat.v1");
            o.AddSubProtocol("bearer." + good);
        }))
        {
            await viaSubprotocol.ExpectNothingPendingAsync();
        }

        foreach (var refused in new[] { expired, forged, forbidden, good + "x" })
        {
            var answer = await Handshake.SendAsync(node, $"/ws/chat/{room}?token={refused}");
            Assert.That((int)answer.Status, Is.AnyOf(401, 403));
        }

        using var http = node.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", good);
        Assert.That((await http.GetAsync($"/api/rooms/{room}/messages")).IsSuccessStatusCode, Is.True);
        await node.StopAsync();

        Assert.That(logs.Lines, Is.Not.Empty, "the capture must see the node's log lines");
        foreach (var token in new[] { good, expired, forged, forbidden })
        {
            var signature = token[(token.LastIndexOf('.') + 1)..];
            var payload = token.Split('.')[1];
            Assert.That(logs.Lines.Where(l => l.Contains(signature, StringComparison.Ordinal)
                || l.Contains(payload, StringComparison.Ordinal)), Is.Empty);
        }
    }

    [Test]
    public async Task No_log_line_holds_a_token_or_a_ticket_even_when_the_configuration_turns_request_logging_back_on()
    {
        var logs = new LogCapture();
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            // Rules for one provider beat rules for all, the code's filters included: an operator's
            // Logging:Console:LogLevel:Default=Trace does this to the console.
            [$"Logging:{typeof(LogCapture).FullName}:LogLevel:Default"] = "Trace",
        }, logs: logs);
        var room = Rooms.Unique("urls");
        var good = TestTokens.For("55", "amal", rooms: [room]);
        var expired = TestTokens.For("56", "bea", lifetime: TimeSpan.FromMinutes(-10));

        await using (var viaQuery = await node.ConnectAsync(good, path: $"/ws/chat/{room}"))
        {
            await viaQuery.SendTextAsync("""{"message": "hello"}""");
            await viaQuery.ReceiveTypeAsync("message");
        }

        var ticket = await TicketTests.TicketAsync(node, good);
        await using (var viaTicket = await ChatClient.ConnectAsync(node.Chat($"/ws/chat/{room}?ticket={ticket}")))
        {
            await viaTicket.ExpectNothingPendingAsync();
        }

        foreach (var target in new[] { $"/ws/chat/{room}?since=0&token={expired}&room=x", $"/ws/chat/{room}?ticket={ticket}" })
        {
            var refused = await Handshake.SendAsync(node, target);
            Assert.That((int)refused.Status, Is.EqualTo(401));
        }

        using var http = node.Http();
        Assert.That((await http.GetAsync($"/api/rooms/{room}/messages?access_token={good}")).StatusCode,
            Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));
        await node.StopAsync();

        Assert.That(logs.Lines.Where(l => l.Contains("Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal)
            && l.Contains($"/ws/chat/{room}?", StringComparison.Ordinal)), Is.Not.Empty,
            "request lines with their query strings reach the capture: the filters are not what keeps tokens out");
        AssertNoLineHolds(logs, good, expired);
        Assert.That(logs.Lines.Where(l => l.Contains(ticket[4..], StringComparison.Ordinal)), Is.Empty);
        Assert.That(logs.Lines.Where(l => l.Contains("?ticket=[redacted]", StringComparison.Ordinal)), Is.Not.Empty,
            "the ticket's request lines were logged, redacted");
    }

    private static void AssertNoLineHolds(LogCapture logs, params string[] tokens)
    {
        foreach (var token in tokens)
        {
            var signature = token[(token.LastIndexOf('.') + 1)..];
            var payload = token.Split('.')[1];
            Assert.That(logs.Lines.Where(l => l.Contains(signature, StringComparison.Ordinal)
                || l.Contains(payload, StringComparison.Ordinal)), Is.Empty);
        }
    }
}
