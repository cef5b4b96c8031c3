using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RawChat.Core.Tickets;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;
using StackExchange.Redis;
using static RawChat.Tests.Support.Refusal;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// Connection tickets: <c>POST /api/tickets</c> with a token gives a ticket that opens one socket with
/// <c>?ticket=</c>, on any node, for a short while, as that token's user — so a URL that gets logged
/// holds nothing that still works.
/// </summary>
public sealed class TicketTests
{
    private ChatNode _a = null!;
    private ChatNode _b = null!;
    private ConnectionMultiplexer _redis = null!;

    [OneTimeSetUp]
    public async Task StartNodesAsync()
    {
        var a = ChatNode.StartAsync();
        var b = ChatNode.StartAsync();
        try
        {
            await Task.WhenAll(a, b);
        }
        finally
        {
            _a = a.IsCompletedSuccessfully ? a.Result : null!;
            _b = b.IsCompletedSuccessfully ? b.Result : null!;
        }

        _redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis.ConnectionString);
    }

    [OneTimeTearDown]
    public async Task StopNodesAsync()
    {
        foreach (var node in new[] { _a, _b })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Test]
    public async Task Ticket_made_on_one_node_opens_a_socket_on_the_other_as_the_tokens_user()
    {
        var room = Rooms.Unique("ticket");
        var asked = DateTimeOffset.UtcNow;

        using var answer = await RequestAsync(_a, TestTokens.For("301", "tina", rooms: [room]));
        var body = await BodyAsync(answer);
        var ticket = body.GetProperty("ticket").GetString()!;
        await using var client = await ChatClient.ConnectAsync(_b.Chat($"/ws/chat/{room}?ticket={ticket}"));
        await client.SendAsync(new { message = "by ticket" });
        var frame = await client.ReceiveTypeAsync("message");

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(answer.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(ticket, Does.StartWith("rct_").And.Length.EqualTo(47));
        var expiresAt = DateTimeOffset.Parse(body.GetProperty("expiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(expiresAt, Is.InRange(asked.AddSeconds(29), DateTimeOffset.UtcNow.AddSeconds(31)));
        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("tina"));
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("301"));
        Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo(room));
    }

    [Test]
    public async Task Ticket_keeps_the_tokens_rooms_claim()
    {
        var allowed = Rooms.Unique("mine");
        var ticket = await TicketAsync(_a, TestTokens.For("302", "uma", rooms: [allowed]));

        var refused = await Handshake.SendAsync(_b, $"/ws/chat/{Rooms.Unique("theirs")}?ticket={ticket}");

        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(refused.Error, Is.EqualTo("forbidden_room"));
    }

    [Test]
    public async Task Ticket_opens_one_socket_only_and_a_second_use_is_refused_401_invalid_token()
    {
        var room = Rooms.Unique("once");
        var ticket = await TicketAsync(_a, TestTokens.For("303", "vic"));
        await using var first = await ChatClient.ConnectAsync(_a.Chat($"/ws/chat/{room}?ticket={ticket}"));
        await first.ExpectNothingPendingAsync();

        foreach (var node in new[] { _a, _b })
        {
            var again = await Handshake.SendAsync(node, $"/ws/chat/{room}?ticket={ticket}");
            Assert.That(again.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(again.Error, Is.EqualTo("invalid_token"));
            Assert.That(again.Response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer error=\"invalid_token\""));
        }
    }

    [TestCase("rct_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("not-a-ticket")]
    public async Task Unknown_ticket_is_refused_401_invalid_token(string ticket)
    {
        var refused = await Handshake.SendAsync(_b, $"/ws/chat?ticket={ticket}");

        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(refused.Error, Is.EqualTo("invalid_token"));
    }

    [Test]
    public async Task Expired_ticket_is_refused_401_invalid_token()
    {
        await using var hasty = await ChatNode.StartAsync(new Dictionary<string, string?> { ["Tickets:LifetimeSeconds"] = "1" });
        var ticket = await TicketAsync(hasty, TestTokens.For("304", "wes"));
        var key = hasty.Services.GetRequiredService<TicketStore>().KeyOf(ticket);
        Assert.That(await _redis.GetDatabase().KeyExistsAsync(key), Is.True, "the ticket is in Redis under its hash");

        await Eventually.ThatAsync(() => _redis.GetDatabase().KeyExistsAsync(key), Is.False, "the ticket's key exists: Redis lets it expire");
        var refused = await Handshake.SendAsync(_b, $"/ws/chat?ticket={ticket}");

        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(refused.Error, Is.EqualTo("invalid_token"));
    }

    [TestCase("query")]
    [TestCase("header")]
    [TestCase("subprotocol")]
    public async Task Ticket_and_a_token_together_are_refused_401_and_the_ticket_stays_usable(string tokenSource)
    {
        var room = Rooms.Unique("both");
        var token = TestTokens.For("305", "xia");
        var ticket = await TicketAsync(_a, token);
        var headers = new Dictionary<string, string>();
        var query = $"?ticket={ticket}";
        switch (tokenSource)
        {
            case "query": query += $"&token={token}"; break;
            case "header": headers["Authorization"] = $"Bearer {token}"; break;
            case "subprotocol": headers["Sec-WebSocket-Protocol"] = $"rawchat.v1, bearer.{token}"; break;
        }

        var refused = await Handshake.SendAsync(_b, $"/ws/chat/{room}{query}", headers);

        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(refused.Error, Is.EqualTo("invalid_token"));
        Assert.That(refused.Body?.GetProperty("detail").GetString(), Does.Contain("not both"));
        await using var client = await ChatClient.ConnectAsync(_b.Chat($"/ws/chat/{room}?ticket={ticket}"),
            o => o.AddSubProtocol("rawchat.v1"));
        Assert.That(client.Socket.SubProtocol, Is.EqualTo("rawchat.v1"));
        await client.ExpectNothingPendingAsync();
    }

    [TestCaseSource(typeof(BadTokens), nameof(BadTokens.Faults))]
    public async Task Ticket_request_without_a_valid_bearer_token_is_refused_401_invalid_token_with_a_challenge(string fault)
    {
        var token = BadTokens.Make(fault, TestTokens.Claims("306"));

        using var answer = await RequestAsync(_a, token);

        AssertRefused(answer, await answer.Content.ReadAsStringAsync(), HttpStatusCode.Unauthorized, "invalid_token", token);
    }

    [Test]
    public async Task Ticket_request_with_the_token_in_the_query_only_is_refused_401_invalid_token()
    {
        var token = TestTokens.For("306");

        using var answer = await RequestAsync(_a, token: null, $"/api/tickets?token={token}");

        AssertRefused(answer, await answer.Content.ReadAsStringAsync(), HttpStatusCode.Unauthorized, "invalid_token", token);
    }

    [Test]
    public async Task A_user_is_given_at_most_ten_tickets_per_lifetime_across_all_nodes_and_others_are_not_held_back()
    {
        var token = TestTokens.For("307-" + Guid.NewGuid().ToString("N"), "yan");
        for (var i = 0; i < 10; i++)
        {
            using var given = await RequestAsync(i % 2 == 0 ? _a : _b, token);
            Assert.That(given.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"ticket {i + 1}");
        }

        using var refused = await RequestAsync(_b, token);
        using var other = await RequestAsync(_b, TestTokens.For("308-" + Guid.NewGuid().ToString("N"), "zoe"));

        Assert.That(refused.StatusCode, Is.EqualTo((HttpStatusCode)429));
        Assert.That((await BodyAsync(refused)).GetProperty("error").GetString(), Is.EqualTo("rate_limited"));
        Assert.That(refused.Headers.RetryAfter?.Delta?.TotalSeconds, Is.InRange(1, 30));
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Created), "another user still gets one");
    }

    [Test]
    public async Task Redis_holds_neither_the_ticket_nor_the_token()
    {
        var token = TestTokens.For("309-" + Guid.NewGuid().ToString("N"), "abe");
        var ticket = await TicketAsync(_a, token);
        var server = _redis.GetServer(_redis.GetEndPoints()[0]);
        var db = _redis.GetDatabase();

        var stored = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "rawchat:ticket:*"))
        {
            stored.Add(key!);
            stored.AddRange(await db.KeyTypeAsync(key) == RedisType.SortedSet
                ? (await db.SortedSetRangeByRankAsync(key)).Select(m => m.ToString())
                : [(await db.StringGetAsync(key)).ToString()]);
        }

        Assert.That(stored, Is.Not.Empty);
        var secrets = new[] { ticket[4..], token.Split('.')[1], token.Split('.')[2] };
        Assert.That(stored.Where(s => secrets.Any(secret => s.Contains(secret, StringComparison.Ordinal))), Is.Empty);
    }

    [Test]
    public async Task Socket_opened_with_a_ticket_closes_1008_token_expired_when_the_token_expires()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?> { ["Jwt:ClockSkewSeconds"] = "0" });
        var ticket = await TicketAsync(node, TestTokens.For("310", "bo", lifetime: TimeSpan.FromSeconds(4)));
        await using var client = await ChatClient.ConnectAsync(node.Chat($"/ws/chat/{Rooms.Unique("brief")}?ticket={ticket}"));

        var (status, reason) = await client.WaitForCloseAsync(TimeSpan.FromSeconds(60));

        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(reason, Is.EqualTo("token_expired"));
    }

    [Test]
    public async Task Node_that_cannot_reach_Redis_answers_503_unavailable_with_retry_after_for_tickets()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{FreePort.Next()},connectTimeout=1000,asyncTimeout=2000",
        });

        using var request = await RequestAsync(node, TestTokens.For("311"));
        var connect = await Handshake.SendAsync(node, "/ws/chat?ticket=rct_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

        Assert.That(request.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await BodyAsync(request)).GetProperty("error").GetString(), Is.EqualTo("unavailable"));
        Assert.That(request.Headers.RetryAfter, Is.Not.Null);
        Assert.That(connect.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(connect.Error, Is.EqualTo("unavailable"));
        Assert.That(connect.Response.Headers.RetryAfter, Is.Not.Null);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /// <summary>A ticket for <paramref name="token"/>'s user, made on <paramref name="node"/>.</summary>
    public static async Task<string> TicketAsync(ChatNode node, string token)
    {
        using var answer = await RequestAsync(node, token);
        var body = await BodyAsync(answer);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Created), body.ToString());
        return body.GetProperty("ticket").GetString()!;
    }

    private static async Task<HttpResponseMessage> RequestAsync(ChatNode node, string? token, string path = "/api/tickets")
    {
        using var http = node.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
