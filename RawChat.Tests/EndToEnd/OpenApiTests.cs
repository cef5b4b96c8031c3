using System.Net;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// <c>/openapi/v1.json</c>, fetched from a real node, describes the HTTP API as a client generator
/// needs it: every route and method, its parameters and request body, every answer with its schema,
/// and the Bearer scheme.
/// </summary>
public sealed class OpenApiTests
{
    private const string Messages = "/api/rooms/{room}/messages";
    private const string Tickets = "/api/tickets";
    private const string Rooms = "/api/rooms";
    private const string Room = "/api/rooms/{room}";
    private const string Members = "/api/rooms/{room}/members";
    private const string Member = "/api/rooms/{room}/members/{userId}";
    private const string Role = "/api/rooms/{room}/members/{userId}/role";
    private const string Bans = "/api/rooms/{room}/bans";
    private const string Ban = "/api/rooms/{room}/bans/{userId}";
    private const string Mutes = "/api/rooms/{room}/mutes";
    private const string Mute = "/api/rooms/{room}/mutes/{userId}";
    private const string Audit = "/api/rooms/{room}/audit";
    private const string MyRooms = "/api/me/rooms";
    private const string Direct = "/api/dm";

    private static readonly string[] RoomOperations =
    [
        $"POST {Rooms}", $"GET {Room}", $"PATCH {Room}", $"GET {Members}", $"POST {Members}", $"DELETE {Member}", $"PUT {Role}",
        $"POST {Bans}", $"DELETE {Ban}", $"POST {Mutes}", $"DELETE {Mute}", $"GET {Audit}", $"GET {MyRooms}", $"POST {Direct}",
    ];

    private JsonDocument _document = null!;

    private JsonElement Root => _document.RootElement;

    [OneTimeSetUp]
    public async Task FetchTheDocumentFromANodeAsync()
    {
        await using var node = await ChatNode.StartAsync();
        using var http = node.Http();
        using var response = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        _document = JsonDocument.Parse(text);
    }

    [OneTimeTearDown]
    public void DisposeDocument() => _document?.Dispose();

    [Test]
    public void Document_is_openapi_3_version_v1_without_a_server_address()
    {
        Assert.That(Root.GetProperty("openapi").GetString(), Does.StartWith("3."));
        Assert.That(Root.GetProperty("info").GetProperty("version").GetString(), Is.EqualTo("v1"));
        Assert.That(Root.TryGetProperty("servers", out var servers) ? servers.GetArrayLength() : 0, Is.Zero,
            "a node behind a proxy cannot name the address clients use");
    }

    [Test]
    public void Document_holds_exactly_the_api_routes_and_methods()
    {
        var operations = Root.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {path.Name}"));

        Assert.That(operations, Is.EquivalentTo(new[] { $"GET {Messages}", $"POST {Messages}", $"POST {Tickets}" }.Concat(RoomOperations)));
    }

    [TestCase("get", Messages, new[] { "200", "400", "401", "403", "429", "503" })]
    [TestCase("post", Messages, new[] { "200", "201", "400", "401", "403", "413", "503" })]
    [TestCase("post", Tickets, new[] { "201", "401", "429", "503" })]
    [TestCase("post", Rooms, new[] { "201", "400", "401", "403", "409", "413", "429", "503" })]
    [TestCase("get", Room, new[] { "200", "400", "401", "403", "429", "503" })]
    [TestCase("patch", Room, new[] { "200", "400", "401", "403", "404", "413", "429", "503" })]
    [TestCase("get", Members, new[] { "200", "400", "401", "403", "429", "503" })]
    [TestCase("post", Members, new[] { "200", "201", "400", "401", "403", "409", "413", "429", "503" })]
    [TestCase("delete", Member, new[] { "204", "400", "401", "403", "404", "429", "503" })]
    [TestCase("put", Role, new[] { "200", "400", "401", "403", "404", "413", "429", "503" })]
    [TestCase("post", Bans, new[] { "201", "400", "401", "403", "413", "429", "503" })]
    [TestCase("delete", Ban, new[] { "204", "400", "401", "403", "404", "429", "503" })]
    [TestCase("post", Mutes, new[] { "201", "400", "401", "403", "413", "429", "503" })]
    [TestCase("delete", Mute, new[] { "204", "400", "401", "403", "404", "429", "503" })]
    [TestCase("get", Audit, new[] { "200", "400", "401", "403", "429", "503" })]
    [TestCase("get", MyRooms, new[] { "200", "400", "401", "429", "503" })]
    [TestCase("post", Direct, new[] { "200", "201", "400", "401", "403", "409", "413", "429", "503" })]
    public void Operation_lists_every_status_it_answers(string method, string path, string[] statuses)
    {
        var responses = Operation(method, path).GetProperty("responses");
        Assert.That(responses.EnumerateObject().Select(r => r.Name), Is.EquivalentTo(statuses));
    }

    [TestCase("get", Messages, "200", "MessagePage")]
    [TestCase("post", Messages, "201", "PublishedMessage")]
    [TestCase("post", Messages, "200", "PublishedMessage")]
    [TestCase("post", Tickets, "201", "TicketAnswer")]
    [TestCase("get", Messages, "400", "RefusalBody")]
    [TestCase("get", Messages, "401", "RefusalBody")]
    [TestCase("get", Messages, "403", "RefusalBody")]
    [TestCase("get", Messages, "429", "RefusalBody")]
    [TestCase("post", Messages, "403", "RefusalBody")]
    [TestCase("post", Messages, "503", "RefusalBody")]
    [TestCase("post", Tickets, "429", "RefusalBody")]
    [TestCase("post", Rooms, "201", "RoomBody")]
    [TestCase("post", Rooms, "409", "RefusalBody")]
    [TestCase("get", Room, "200", "RoomBody")]
    [TestCase("get", Members, "200", "MemberPage")]
    [TestCase("post", Members, "201", "MemberBody")]
    [TestCase("put", Role, "200", "MemberBody")]
    [TestCase("post", Bans, "201", "BanBody")]
    [TestCase("post", Mutes, "201", "MuteBody")]
    [TestCase("get", Audit, "200", "AuditPage")]
    [TestCase("get", MyRooms, "200", "MyRoomsPage")]
    [TestCase("post", Direct, "201", "RoomBody")]
    [TestCase("delete", Member, "404", "RefusalBody")]
    public void Answer_is_json_of_its_schema(string method, string path, string status, string schema)
    {
        var content = Operation(method, path).GetProperty("responses").GetProperty(status).GetProperty("content");
        Assert.That(content.EnumerateObject().Select(c => c.Name), Is.EqualTo(new[] { "application/json" }));
        Assert.That(content.GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(),
            Is.EqualTo($"#/components/schemas/{schema}"));
    }

    [Test]
    public void Refusal_descriptions_name_the_error_codes()
    {
        var read = Operation("get", Messages).GetProperty("responses");
        Assert.That(read.GetProperty("400").GetProperty("description").GetString(), Does.Contain("invalid_room").And.Contain("invalid_parameter"));
        Assert.That(read.GetProperty("401").GetProperty("description").GetString(), Does.Contain("invalid_token"));
        Assert.That(read.GetProperty("403").GetProperty("description").GetString(), Does.Contain("forbidden_room"));
        Assert.That(read.GetProperty("429").GetProperty("description").GetString(), Does.Contain("rate_limited"));
        Assert.That(Operation("post", Messages).GetProperty("responses").GetProperty("413").GetProperty("description").GetString(),
            Does.Contain("message_too_big"));
    }

    [Test]
    public void Room_body_names_its_fields_and_members_page_by_user_id()
    {
        Assert.That(Properties(Schema("RoomBody")),
            Is.EquivalentTo(new[] { "room", "kind", "topic", "createdBy", "createdAt", "slowModeSeconds" }));
        Assert.That(Properties(Schema("MemberPage")), Is.EquivalentTo(new[] { "room", "members", "hasMore" }));
        Assert.That(Properties(Schema("MemberEntry")), Is.EquivalentTo(new[] { "userId", "name", "role" }));
        Assert.That(Parameters(Operation("get", Members)).Keys, Is.SupersetOf(new[] { "path room", "query after", "query limit" }));
        Assert.That(Operation("post", Rooms).GetProperty("responses").GetProperty("409").GetProperty("description").GetString(),
            Does.Contain("room_exists"));
        Assert.That(Operation("delete", Member).GetProperty("responses").GetProperty("404").GetProperty("description").GetString(),
            Does.Contain("not_found"));
    }

    [Test]
    public void Refusal_body_is_error_and_detail()
    {
        var refusal = Schema("RefusalBody");
        Assert.That(Properties(refusal), Is.EquivalentTo(new[] { "error", "detail" }));
        Assert.That(Required(refusal), Is.EquivalentTo(new[] { "error", "detail" }));
    }

    [Test]
    public void Read_takes_the_room_in_the_path_and_before_and_limit_as_integers_in_the_query()
    {
        var parameters = Parameters(Operation("get", Messages));

        Assert.That(parameters.Keys, Is.EquivalentTo(new[] { "path room", "query before", "query limit" }));
        Assert.That(parameters["path room"].GetProperty("required").GetBoolean(), Is.True);
        Assert.That(parameters["query before"].GetProperty("schema").GetProperty("type").GetString(), Is.EqualTo("integer"));
        Assert.That(parameters["query limit"].GetProperty("schema").GetProperty("type").GetString(), Is.EqualTo("integer"));
    }

    [Test]
    public void Page_is_room_messages_and_has_more_with_messages_shaped_like_the_message_frame()
    {
        var page = Schema("MessagePage");
        Assert.That(Properties(page), Is.EquivalentTo(new[] { "room", "messages", "hasMore" }));
        Assert.That(page.GetProperty("properties").GetProperty("messages").GetProperty("items").GetProperty("$ref").GetString(),
            Is.EqualTo("#/components/schemas/MessageFrame"));

        var message = Schema("MessageFrame");
        Assert.That(Properties(message), Is.EquivalentTo(new[] { "type", "id", "room", "seq", "user", "userId", "message", "timestamp", "clientMsgId" }));
        Assert.That(Required(message), Does.Not.Contain("clientMsgId"), "only when the sender gave one");
        Assert.That(message.GetProperty("properties").GetProperty("seq").GetProperty("type").GetString(), Is.EqualTo("integer"),
            "seq is a JSON number on the wire");
    }

    [Test]
    public void Publish_takes_a_json_body_with_a_required_message_and_an_optional_user()
    {
        var publish = Operation("post", Messages);
        var body = publish.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.That(body.GetProperty("$ref").GetString(), Is.EqualTo("#/components/schemas/PublishRequest"));

        var request = Schema("PublishRequest");
        Assert.That(Properties(request), Is.EquivalentTo(new[] { "message", "user" }));
        Assert.That(Required(request), Is.EqualTo(new[] { "message" }));
        Assert.That(Parameters(publish).Keys, Is.EquivalentTo(new[] { "path room", "header Idempotency-Key" }));
    }

    [Test]
    public void Publish_answer_is_the_stored_message_with_duplicate()
    {
        var published = Schema("PublishedMessage");
        Assert.That(Properties(published),
            Is.EquivalentTo(new[] { "id", "room", "seq", "user", "userId", "message", "timestamp", "clientMsgId", "duplicate" }));
        Assert.That(Required(published), Does.Contain("duplicate").And.Not.Contain("clientMsgId"));
    }

    [Test]
    public void Ticket_answer_is_ticket_and_expires_at()
    {
        Assert.That(Properties(Schema("TicketAnswer")), Is.EquivalentTo(new[] { "ticket", "expiresAt" }));
    }

    [Test]
    public void Bearer_jwt_scheme_is_required_by_every_operation()
    {
        var scheme = Root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.That(scheme.GetProperty("type").GetString(), Is.EqualTo("http"));
        Assert.That(scheme.GetProperty("scheme").GetString(), Is.EqualTo("bearer"));
        Assert.That(scheme.GetProperty("bearerFormat").GetString(), Is.EqualTo("JWT"));

        var operations = new[] { ("get", Messages), ("post", Messages), ("post", Tickets) }
            .Concat(RoomOperations.Select(o => (o.Split(' ')[0].ToLowerInvariant(), o.Split(' ')[1])));
        foreach (var (method, path) in operations)
        {
            var security = Operation(method, path).GetProperty("security").EnumerateArray()
                .SelectMany(requirement => requirement.EnumerateObject().Select(s => s.Name));
            Assert.That(security, Is.EqualTo(new[] { "Bearer" }), $"{method} {path}");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private JsonElement Operation(string method, string path) => Root.GetProperty("paths").GetProperty(path).GetProperty(method);

    private JsonElement Schema(string name) => Root.GetProperty("components").GetProperty("schemas").GetProperty(name);

    private static IEnumerable<string> Properties(JsonElement schema) => schema.GetProperty("properties").EnumerateObject().Select(p => p.Name);

    private static IEnumerable<string?> Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? required.EnumerateArray().Select(r => r.GetString()).ToList() : [];

    /// <summary>The operation's parameters keyed "in name", e.g. "query limit".</summary>
    private static Dictionary<string, JsonElement> Parameters(JsonElement operation) =>
        operation.GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => $"{p.GetProperty("in").GetString()} {p.GetProperty("name").GetString()}");
}
