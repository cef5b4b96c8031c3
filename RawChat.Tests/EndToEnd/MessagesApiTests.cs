using System.Net;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;
using static RawChat.Tests.Support.Refusal;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// docs/protocol.md §5 and §6: <c>GET /api/rooms/{room}/messages?before=&amp;limit=</c> pages exactly like the
/// <c>history</c> frame, and refuses 400, then 401, then 403 with the §1 body.
/// </summary>
public sealed class MessagesApiTests
{
    private const string Timestamp = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$";

    private ChatNode _node = null!;
    private string _room = "";
    private List<JsonElement> _posted = [];

    /// <summary>Starts a node and posts seven messages, m1 … m7, to one room over a socket.</summary>
    [OneTimeSetUp]
    public async Task StartNodeAndPostSevenMessagesAsync()
    {
        _node = await ChatNode.StartAsync();
        _room = Rooms.Unique("paging");
        await using var client = await _node.ConnectAsync(TestTokens.For("61", "paula"), path: $"/ws/chat/{_room}");
        for (var i = 1; i <= 7; i++)
        {
            await client.SendAsync(new { message = $"m{i}" });
            _posted.Add(await client.ReceiveTypeAsync("message"));
        }
    }

    [OneTimeTearDown]
    public async Task StopNodeAsync() => await _node.DisposeAsync();

    // ---- paging -----------------------------------------------------------------------------------

    [Test]
    public async Task Seven_messages_posted_over_a_socket_get_seqs_one_to_seven()
    {
        Assert.That(_posted.Select(m => m.GetProperty("seq").GetInt64()), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6, 7 }));
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages");
        Assert.That(Seqs(page), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6, 7 }));
        Assert.That(page.GetProperty("hasMore").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Limit_alone_gives_the_newest_page_oldest_first_with_has_more()
    {
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages?limit=3");

        Assert.That(page.GetProperty("room").GetString(), Is.EqualTo(_room));
        Assert.That(Seqs(page), Is.EqualTo(new long[] { 5, 6, 7 }));
        Assert.That(page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()),
            Is.EqualTo(new[] { "m5", "m6", "m7" }));
        Assert.That(page.GetProperty("hasMore").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Before_pages_back_exclusively()
    {
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages?before=5&limit=3");

        Assert.That(Seqs(page), Is.EqualTo(new long[] { 2, 3, 4 }));
        Assert.That(page.GetProperty("hasMore").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Last_page_has_no_more()
    {
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages?before=2");

        Assert.That(Seqs(page), Is.EqualTo(new long[] { 1 }));
        Assert.That(page.GetProperty("hasMore").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Page_exactly_reaching_the_first_message_has_no_more()
    {
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages?before=4&limit=3");

        Assert.That(Seqs(page), Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(page.GetProperty("hasMore").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Before_one_gives_an_empty_page()
    {
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages?before=1");

        Assert.That(Seqs(page), Is.Empty);
        Assert.That(page.GetProperty("hasMore").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Room_without_messages_gives_an_empty_page()
    {
        var room = Rooms.Unique("empty");
        var page = await ReadPageAsync($"/api/rooms/{room}/messages");

        Assert.That(page.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(Seqs(page), Is.Empty);
        Assert.That(page.GetProperty("hasMore").GetBoolean(), Is.False);
    }

    [TestCase("?limit=200")]
    [TestCase("?limit=1&before=9223372036854775807")]
    public async Task Limits_and_before_at_their_bounds_are_accepted(string query)
    {
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages{query}");
        Assert.That(Seqs(page), Is.Not.Empty);
    }

    [TestCase("?before=005&limit=003", new long[] { 2, 3, 4 })]
    [TestCase("?before=00000000000000000005&limit=3", new long[] { 2, 3, 4 })]
    public async Task Before_and_limit_with_leading_zeros_are_decimal_digits_within_64_bits(string query, long[] seqs)
    {
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages{query}");
        Assert.That(Seqs(page), Is.EqualTo(seqs));
    }

    [Test]
    public async Task Page_is_exactly_room_messages_and_has_more()
    {
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages?limit=1");
        Assert.That(page.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "room", "messages", "hasMore" }));
    }

    [Test]
    public async Task Each_message_is_shaped_like_the_message_frame_the_socket_delivered()
    {
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages");
        var messages = page.GetProperty("messages").EnumerateArray().ToList();

        Assert.That(messages.Select(Canonical), Is.EqualTo(_posted.Select(Canonical)));
        foreach (var message in messages)
        {
            Assert.That(message.GetProperty("type").GetString(), Is.EqualTo("message"));
            Assert.That(message.GetProperty("id").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(message.GetProperty("room").GetString(), Is.EqualTo(_room));
            Assert.That(message.GetProperty("user").GetString(), Is.EqualTo("paula"));
            Assert.That(message.GetProperty("userId").GetString(), Is.EqualTo("61"));
            Assert.That(message.GetProperty("timestamp").GetString(), Does.Match(Timestamp));
            Assert.That(message.TryGetProperty("clientMsgId", out _), Is.False);
        }
    }

    [Test]
    public async Task Message_posted_with_a_client_msg_id_carries_it_in_the_page()
    {
        var room = Rooms.Unique("cmid");
        await using (var client = await _node.ConnectAsync(TestTokens.For("62", "quentin"), path: $"/ws/chat/{room}"))
        {
            await client.SendAsync(new { type = "send", message = "with id", clientMsgId = "c-1" });
            await client.ReceiveTypeAsync("ack");
            await client.ReceiveTypeAsync("message");
        }

        var page = await ReadPageAsync($"/api/rooms/{room}/messages");

        var only = page.GetProperty("messages").EnumerateArray().Single();
        Assert.That(only.GetProperty("clientMsgId").GetString(), Is.EqualTo("c-1"));
        Assert.That(only.GetProperty("message").GetString(), Is.EqualTo("with id"));
    }

    [Test]
    public async Task Token_whose_rooms_claim_allows_the_room_by_prefix_reads_it()
    {
        var page = await ReadPageAsync($"/api/rooms/{_room}/messages?limit=1", TestTokens.For("63", rooms: ["paging-*"]));
        Assert.That(Seqs(page), Is.EqualTo(new long[] { 7 }));
    }

    // ---- refusals ---------------------------------------------------------------------------------

    [TestCase("bad%20room")]
    [TestCase("bad!room")]
    [TestCase("caf%C3%A9")]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Bad_room_is_refused_400_invalid_room(string room)
    {
        var answer = await GetAsync($"/api/rooms/{room}/messages", TestTokens.For("64"));
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_room");
    }

    [TestCase("before=0")]
    [TestCase("before=")]
    [TestCase("before=-1")]
    [TestCase("before=abc")]
    [TestCase("before=1.5")]
    [TestCase("before=%2B3")]
    [TestCase("before=9223372036854775808")]
    [TestCase("limit=0")]
    [TestCase("limit=201")]
    [TestCase("limit=abc")]
    [TestCase("limit=%2B5")]
    [TestCase("limit=5.0")]
    [TestCase("limit=")]
    [TestCase("limit=-1")]
    [TestCase("limit=99999999999999999999")]
    public async Task Bad_parameter_is_refused_400_invalid_parameter(string parameter)
    {
        var answer = await GetAsync($"/api/rooms/{_room}/messages?{parameter}", TestTokens.For("64"));
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [TestCaseSource(typeof(BadTokens), nameof(BadTokens.Faults))]
    public async Task Bad_or_missing_token_is_refused_401_with_a_bearer_challenge_and_not_quoted(string fault)
    {
        var token = BadTokens.Make(fault, TestTokens.Claims("65", "rita"));

        var answer = await GetAsync($"/api/rooms/{_room}/messages", token);

        AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_token", token);
    }

    [Test]
    public async Task Token_whose_rooms_claim_does_not_allow_the_room_is_refused_403_forbidden_room()
    {
        var token = TestTokens.For("67", rooms: ["elsewhere", "pag*x"]);
        var answer = await GetAsync($"/api/rooms/{_room}/messages", token);
        AssertRefused(answer, HttpStatusCode.Forbidden, "forbidden_room", token);
    }

    [Test]
    public async Task Token_with_an_empty_rooms_array_is_refused_403_forbidden_room()
    {
        var token = TestTokens.For("68", rooms: []);
        var answer = await GetAsync($"/api/rooms/{_room}/messages", token);
        AssertRefused(answer, HttpStatusCode.Forbidden, "forbidden_room", token);
    }

    [Test]
    public async Task Bad_parameter_with_a_bad_token_is_refused_400()
    {
        var answer = await GetAsync($"/api/rooms/{_room}/messages?limit=0", "garbage");
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Test]
    public async Task Bad_parameter_without_a_token_is_refused_400()
    {
        var answer = await GetAsync($"/api/rooms/{_room}/messages?before=", token: null);
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Test]
    public async Task Bad_room_with_a_bad_token_is_refused_400_invalid_room()
    {
        var answer = await GetAsync("/api/rooms/bad!room/messages", "garbage");
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_room");
    }

    [Test]
    public async Task Bad_token_for_a_room_it_could_not_read_anyway_is_refused_401()
    {
        var claims = TestTokens.Claims("69");
        claims["rooms"] = new[] { "elsewhere" };
        var token = BadTokens.Make("bad signature", claims)!;

        var answer = await GetAsync($"/api/rooms/{_room}/messages", token);

        AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_token", token);
    }

    [Test]
    public async Task Bad_parameter_with_a_forbidden_room_is_refused_400()
    {
        var answer = await GetAsync($"/api/rooms/{_room}/messages?limit=201", TestTokens.For("70", rooms: ["elsewhere"]));
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static IEnumerable<long> Seqs(JsonElement page) =>
        page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()).ToList();

    /// <summary>A message object as sorted name=value pairs, to compare shapes and values.</summary>
    private static string Canonical(JsonElement message) =>
        string.Join(",", message.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value.GetRawText()}"));

    private async Task<JsonElement> ReadPageAsync(string pathAndQuery, string? token = null)
    {
        var answer = await GetAsync(pathAndQuery, token ?? TestTokens.For("60", "reader"));
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Text);
        Assert.That(answer.Response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        using var document = JsonDocument.Parse(answer.Text);
        return document.RootElement.Clone();
    }

    private Task<ApiAnswer> GetAsync(string pathAndQuery, string? token) => ApiAnswer.SendAsync(_node, HttpMethod.Get, pathAndQuery, token);
}
