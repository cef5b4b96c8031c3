using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;
using RawChat.Api.Commands;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;
using static RawChat.Tests.Support.Refusal;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// <c>POST /api/rooms/{room}/messages</c>: a backend with a service token posts into a room; the
/// message is stored and fanned out like a socket post, on every node, once per Idempotency-Key.
/// </summary>
public sealed class PublishApiTests() : TwoNodeFixture()
{
    private const string Timestamp = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$";

    // ---- publishing -------------------------------------------------------------------------------

    [Test]
    public async Task Publish_reaches_a_socket_in_the_room_on_this_node_and_on_the_other()
    {
        var room = Rooms.Unique("publish");
        await using var here = await A.ConnectAsync(TestTokens.For("101", "hana"), path: $"/ws/chat/{room}");
        await using var there = await B.ConnectAsync(TestTokens.For("102", "ivan"), path: $"/ws/chat/{room}");

        var answer = await PublishAsync(A, room, """{"message": "deploy finished"}""", TestTokens.Service("svc-1", "deploy-bot"));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.Text);
        Assert.That(answer.Response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var stored = answer.Json;
        Assert.That(stored.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(stored.GetProperty("seq").GetInt64(), Is.EqualTo(1));
        Assert.That(stored.GetProperty("id").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(stored.GetProperty("timestamp").GetString(), Does.Match(Timestamp));
        Assert.That(stored.GetProperty("duplicate").GetBoolean(), Is.False);
        Assert.That(stored.TryGetProperty("clientMsgId", out _), Is.False, "no Idempotency-Key, no clientMsgId");

        foreach (var client in new[] { here, there })
        {
            var frame = await client.ReceiveTypeAsync("message");
            Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo("deploy finished"));
            Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("deploy-bot"));
            Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("svc-1"));
            foreach (var field in new[] { "id", "room", "seq", "user", "userId", "message", "timestamp" })
            {
                Assert.That(frame.GetProperty(field).GetRawText(), Is.EqualTo(stored.GetProperty(field).GetRawText()), field);
            }

            await client.ExpectNothingPendingAsync();
        }
    }

    [Test]
    public async Task Repeat_with_the_same_idempotency_key_is_one_row_and_one_broadcast()
    {
        var room = Rooms.Unique("idem");
        await using var reader = await B.ConnectAsync(TestTokens.For("103"), path: $"/ws/chat/{room}");
        var token = TestTokens.Service("svc-2", "billing");

        var first = await PublishAsync(A, room, """{"message": "invoice 7 paid"}""", token, "invoice-7");
        var repeat = await PublishAsync(A, room, """{"message": "invoice 7 paid"}""", token, "invoice-7");
        var elsewhere = await PublishAsync(B, room, """{"message": "invoice 7 paid (retried on the other node)"}""", token, "invoice-7");

        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.Created), first.Text);
        Assert.That(first.Json.GetProperty("clientMsgId").GetString(), Is.EqualTo("invoice-7"));
        Assert.That(first.Json.GetProperty("duplicate").GetBoolean(), Is.False);
        foreach (var again in new[] { repeat, elsewhere })
        {
            Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), again.Text);
            Assert.That(again.Json.GetProperty("duplicate").GetBoolean(), Is.True);
            Assert.That(again.Json.GetProperty("id").GetInt64(), Is.EqualTo(first.Json.GetProperty("id").GetInt64()));
            Assert.That(again.Json.GetProperty("seq").GetInt64(), Is.EqualTo(1));
            Assert.That(again.Json.GetProperty("message").GetString(), Is.EqualTo("invoice 7 paid"), "the first message comes back");
        }

        var frame = await reader.ReceiveTypeAsync("message");
        Assert.That(frame.GetProperty("clientMsgId").GetString(), Is.EqualTo("invoice-7"));
        await reader.ExpectNothingPendingAsync();
        Assert.That(await StoredTextsAsync(room), Is.EqualTo(new[] { "invoice 7 paid" }), "one row");
    }

    [Test]
    public async Task Publishes_without_a_key_or_with_other_keys_are_each_stored_in_seq_order()
    {
        var room = Rooms.Unique("many");
        var token = TestTokens.Service("svc-3");

        var seqs = new List<long>();
        foreach (var (text, key) in new[] { ("one", null), ("two", null), ("three", "k-3"), ("four", "k-4") })
        {
            var answer = await PublishAsync(A, room, JsonSerializer.Serialize(new { message = text }), token, key);
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.Text);
            seqs.Add(answer.Json.GetProperty("seq").GetInt64());
        }

        Assert.That(seqs, Is.EqualTo(new long[] { 1, 2, 3, 4 }));
        Assert.That(await StoredTextsAsync(room), Is.EqualTo(new[] { "one", "two", "three", "four" }));
    }

    [Test]
    public async Task Body_user_names_the_sender_and_the_token_user_id_is_kept()
    {
        var room = Rooms.Unique("named");
        var answer = await PublishAsync(A, room, """{"message": "build 12 is green", "user": "CI 🤖", "extra": [1, 2]}""",
            TestTokens.Service("svc-4", "ci-service"));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.Text);
        Assert.That(answer.Json.GetProperty("user").GetString(), Is.EqualTo("CI 🤖"));
        Assert.That(answer.Json.GetProperty("userId").GetString(), Is.EqualTo("svc-4"));
    }

    [Test]
    public async Task A_socket_post_and_a_publish_share_the_room_sequence()
    {
        var room = Rooms.Unique("shared-seq");
        await using var alice = await A.ConnectAsync(TestTokens.For("104", "alice"), path: $"/ws/chat/{room}");
        await alice.PostAndAckAsync(room, "from the socket", "s-1");

        var answer = await PublishAsync(B, room, """{"message": "from the backend"}""", TestTokens.Service("svc-5"));

        Assert.That(answer.Json.GetProperty("seq").GetInt64(), Is.EqualTo(2));
        var frames = await alice.ReceiveUntilAsync(f => f.IsMessage(room, 2));
        Assert.That(frames.SeqsOf(room), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public async Task Service_token_obeys_its_rooms_claim()
    {
        var token = TestTokens.Service("svc-6", rooms: ["alerts-*"]);

        var allowed = await PublishAsync(A, Rooms.Unique("alerts"), """{"message": "disk 91 %"}""", token);
        var refused = await PublishAsync(A, Rooms.Unique("general"), """{"message": "disk 91 %"}""", token);

        Assert.That(allowed.Status, Is.EqualTo(HttpStatusCode.Created), allowed.Text);
        AssertRefused(refused, HttpStatusCode.Forbidden, "forbidden_room", token);
    }

    // ---- refusals ---------------------------------------------------------------------------------

    [Test]
    public async Task User_token_without_the_service_claim_is_refused_403_forbidden_and_nothing_is_stored()
    {
        var room = Rooms.Unique("users");
        await using var reader = await A.ConnectAsync(TestTokens.For("105"), path: $"/ws/chat/{room}");
        var token = TestTokens.For("106", "mallory");

        var answer = await PublishAsync(A, room, """{"message": "let me in"}""", token);

        AssertRefused(answer, HttpStatusCode.Forbidden, "forbidden", token);
        await reader.ExpectNothingPendingAsync();
        Assert.That(await StoredTextsAsync(room), Is.Empty);
    }

    [TestCase("\"true\"")]
    [TestCase("1")]
    [TestCase("false")]
    [TestCase("{\"value\": true}")]
    public async Task Service_claim_other_than_json_true_is_refused_403_forbidden(string claimJson)
    {
        using var claim = JsonDocument.Parse(claimJson);
        var token = TestTokens.For("107", extraClaims: new Dictionary<string, object?> { ["rawchat_service"] = claim.RootElement.Clone() });

        var answer = await PublishAsync(A, Rooms.Unique("claims"), """{"message": "hi"}""", token);

        AssertRefused(answer, HttpStatusCode.Forbidden, "forbidden", token);
    }

    [TestCaseSource(typeof(BadTokens), nameof(BadTokens.Faults))]
    public async Task Bad_or_missing_token_is_refused_401_with_a_bearer_challenge(string fault)
    {
        var claims = TestTokens.Claims("108");
        claims["rawchat_service"] = true; // the fault is the only thing wrong
        var token = BadTokens.Make(fault, claims);

        var answer = await PublishAsync(A, Rooms.Unique("auth"), """{"message": "hi"}""", token);

        AssertRefused(answer, HttpStatusCode.Unauthorized, "invalid_token", token);
    }

    [TestCase("bad!room")]
    [TestCase("bad%20room")]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Bad_room_is_refused_400_invalid_room_before_the_token_is_looked_at(string room)
    {
        var answer = await PublishAsync(A, room, """{"message": "hi"}""", token: null);
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_room");
    }

    [TestCase("")]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Idempotency_key_outside_1_to_64_characters_is_refused_400_invalid_parameter(string key)
    {
        var answer = await PublishAsync(A, Rooms.Unique("keys"), """{"message": "hi"}""", TestTokens.Service("svc-7"), key);
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Test]
    public async Task Idempotency_key_of_64_characters_is_accepted()
    {
        var key = new string('k', 64);
        var answer = await PublishAsync(A, Rooms.Unique("keys"), """{"message": "hi"}""", TestTokens.Service("svc-7"), key);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.Text);
        Assert.That(answer.Json.GetProperty("clientMsgId").GetString(), Is.EqualTo(key));
    }

    [TestCase("", "invalid_json")]
    [TestCase("{\"message\": \"hi\"", "invalid_json")]
    [TestCase("{\"message\": \"hi\"} {}", "invalid_json")]
    [TestCase("{\"message\": \"\\ud800\"}", "invalid_frame")] // valid JSON, but not text (docs/protocol.md §3.5)
    [TestCase("message=hi", "invalid_json")]
    [TestCase("[\"hi\"]", "invalid_frame")]
    [TestCase("\"hi\"", "invalid_frame")]
    [TestCase("{}", "invalid_frame")]
    [TestCase("{\"text\": \"hi\"}", "invalid_frame")]
    [TestCase("{\"message\": 5}", "invalid_frame")]
    [TestCase("{\"message\": null}", "invalid_frame")]
    [TestCase("{\"message\": \"hi\", \"message\": \"ho\"}", "invalid_frame")]
    [TestCase("{\"message\": \"nul \\u0000 inside\"}", "invalid_frame")]
    [TestCase("{\"message\": \"hi\", \"user\": 5}", "invalid_frame")]
    [TestCase("{\"message\": \"hi\", \"user\": \" \"}", "invalid_frame")]
    [TestCase("{\"message\": \"hi\", \"user\": \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\"}", "invalid_frame", TestName = "{m}(user of 129 code points)")]
    [TestCase("{\"message\": \"hi\", \"user\": \"us\\ud800er\"}", "invalid_frame", TestName = "{m}(user holding a lone surrogate)")]
    [TestCase("{\"message\": \"\"}", "message_empty")]
    [TestCase("{\"message\": \" \\n\\t\\u3000 \"}", "message_empty")]
    public async Task Bad_body_is_refused_400_with_the_code_a_socket_post_would_get(string body, string error)
    {
        var answer = await PublishAsync(A, Rooms.Unique("bodies"), body, TestTokens.Service("svc-8"));
        AssertRefused(answer, HttpStatusCode.BadRequest, error);
    }

    [Test]
    public async Task Message_longer_than_the_limit_is_refused_400_message_too_long_and_one_at_the_limit_is_stored()
    {
        var room = Rooms.Unique("long");
        var token = TestTokens.Service("svc-9");

        var tooLong = await PublishAsync(A, room, JsonSerializer.Serialize(new { message = new string('x', 4001) }), token);
        var atLimit = await PublishAsync(A, room, JsonSerializer.Serialize(new { message = new string('x', 4000) }), token);

        AssertRefused(tooLong, HttpStatusCode.BadRequest, "message_too_long");
        Assert.That(atLimit.Status, Is.EqualTo(HttpStatusCode.Created), atLimit.Text);
    }

    [Test]
    public async Task Body_larger_than_max_frame_bytes_is_refused_413_message_too_big()
    {
        var body = JsonSerializer.Serialize(new { message = "hi", padding = new string(' ', 16_384) });
        var answer = await PublishAsync(A, Rooms.Unique("big"), body, TestTokens.Service("svc-10"));
        AssertRefused(answer, HttpStatusCode.RequestEntityTooLarge, "message_too_big");
    }

    [Test]
    public async Task Bad_body_from_a_user_token_is_refused_403_not_400()
    {
        var answer = await PublishAsync(A, Rooms.Unique("order"), "not json", TestTokens.For("109"));
        AssertRefused(answer, HttpStatusCode.Forbidden, "forbidden");
    }

    [Test]
    public async Task Service_claim_name_is_configurable()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?> { ["Jwt:ServiceClaim"] = "is_backend" });
        var room = Rooms.Unique("claimname");
        var custom = TestTokens.For("svc-11", extraClaims: new Dictionary<string, object?> { ["is_backend"] = true });
        var standard = TestTokens.Service("svc-11");

        var accepted = await PublishAsync(node, room, """{"message": "hi"}""", custom);
        var refused = await PublishAsync(node, room, """{"message": "hi"}""", standard);

        Assert.That(accepted.Status, Is.EqualTo(HttpStatusCode.Created), accepted.Text);
        AssertRefused(refused, HttpStatusCode.Forbidden, "forbidden", standard);
    }

    [Test]
    public async Task Publish_during_a_PostgreSQL_outage_is_refused_503_and_its_retry_is_stored_once_after_recovery()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using var node = await ChatNode.StartAsync(postgres: await postgres.CreateDatabaseAsync());
        var room = Rooms.Unique("pgdown");
        await using var reader = await node.ConnectAsync(TestTokens.For("110"), path: $"/ws/chat/{room}");
        var token = TestTokens.Service("svc-12");

        await postgres.StopAsync();
        var refused = await PublishAsync(node, room, """{"message": "while down"}""", token, "down-1");

        AssertRefused(refused, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.That(refused.Response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        await reader.ExpectNothingPendingAsync();

        await postgres.StartAgainAsync();
        var stored = await Eventually.ThatAsync(() => PublishAsync(node, room, """{"message": "while down"}""", token, "down-1"),
            Has.Property(nameof(ApiAnswer.Status)).Not.EqualTo(HttpStatusCode.ServiceUnavailable), "the retry after recovery",
            TimeSpan.FromSeconds(30));
        Assert.That(stored.Status, Is.EqualTo(HttpStatusCode.Created), stored.Text);
        Assert.That(stored.Json.GetProperty("seq").GetInt64(), Is.EqualTo(1));
        Assert.That((await reader.ReceiveTypeAsync("message")).GetProperty("message").GetString(), Is.EqualTo("while down"));
        await reader.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Dev_token_command_with_service_mints_a_token_that_may_publish()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:Secret"] = TestTokens.Secret })
            .Build();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = DevTokenCommand.Run(["--user", "svc-13", "--service", "--name", "cron"], configuration, output, error);

        Assert.That(exit, Is.EqualTo(0), error.ToString());
        var answer = await PublishAsync(A, Rooms.Unique("devtoken"), """{"message": "nightly job done"}""", output.ToString().Trim());
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.Text);
        Assert.That(answer.Json.GetProperty("user").GetString(), Is.EqualTo("cron"));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static Task<ApiAnswer> PublishAsync(ChatNode node, string room, string body, string? token, string? idempotencyKey = null) =>
        ApiAnswer.SendAsync(node, HttpMethod.Post, $"/api/rooms/{room}/messages", token,
            new StringContent(body, Encoding.UTF8, "application/json"),
            idempotencyKey is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = idempotencyKey });

    /// <summary>The room's stored texts, oldest first, as the messages API reads them.</summary>
    private async Task<string[]> StoredTextsAsync(string room)
    {
        var page = await ApiAnswer.SendAsync(A, HttpMethod.Get, $"/api/rooms/{room}/messages?limit=200", TestTokens.For("100"));
        return [.. page.Json.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()!)];
    }
}
