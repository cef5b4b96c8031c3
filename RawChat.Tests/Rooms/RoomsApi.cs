using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.RoomsWithMembers;

/// <summary>
/// The rooms API of docs/protocol.md §14.3–§14.5 as a client calls it: one method per request, the
/// ones that set a scene asserting their success answer, so a test reads as the story it tells.
/// </summary>
internal static class RoomsApi
{
    public const string Timestamp = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$";

    /// <summary>Any request with a JSON body (serialized from <paramref name="body"/>) or none.</summary>
    public static Task<ApiAnswer> CallAsync(ChatNode node, HttpMethod method, string path, string? token, object? body = null) =>
        ApiAnswer.SendAsync(node, method, path, token, body is null ? null : Json(body));

    /// <summary>A request whose body is exactly <paramref name="text"/>.</summary>
    public static Task<ApiAnswer> CallRawAsync(ChatNode node, HttpMethod method, string path, string? token, string text) =>
        ApiAnswer.SendAsync(node, method, path, token, new StringContent(text, Encoding.UTF8, "application/json"));

    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    // ---- rooms ------------------------------------------------------------------------------------

    /// <summary><c>POST /api/rooms</c>; only the fields given are sent.</summary>
    public static Task<ApiAnswer> CreateAsync(ChatNode node, string? token, string kind, string? name = null, string? topic = null)
    {
        var body = new Dictionary<string, object?> { ["kind"] = kind };
        if (name is not null)
        {
            body["name"] = name;
        }

        if (topic is not null)
        {
            body["topic"] = topic;
        }

        return CallAsync(node, HttpMethod.Post, "/api/rooms", token, body);
    }

    /// <summary>Creates a room, asserts the 201, and answers its name.</summary>
    public static async Task<string> CreatedAsync(ChatNode node, string token, string kind, string? name = null, string? topic = null)
    {
        var answer = await CreateAsync(node, token, kind, name, topic);
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), $"creating a {kind} room: {answer.Text}");
        return answer.Json.GetProperty("room").GetString()!;
    }

    public static Task<ApiAnswer> GetAsync(ChatNode node, string? token, string room) =>
        CallAsync(node, HttpMethod.Get, $"/api/rooms/{room}", token);

    public static Task<ApiAnswer> PatchAsync(ChatNode node, string? token, string room, object body) =>
        CallAsync(node, HttpMethod.Patch, $"/api/rooms/{room}", token, body);

    /// <summary>Sets the room's slow mode and asserts the 200.</summary>
    public static async Task SlowModeAsync(ChatNode node, string token, string room, int seconds)
    {
        var answer = await PatchAsync(node, token, room, new { slowModeSeconds = seconds });
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Text);
        Assert.That(answer.Json.GetProperty("slowModeSeconds").GetInt32(), Is.EqualTo(seconds));
    }

    // ---- members ----------------------------------------------------------------------------------

    public static Task<ApiAnswer> AddMemberAsync(ChatNode node, string? token, string room, string userId, string? role = null) =>
        CallAsync(node, HttpMethod.Post, $"/api/rooms/{room}/members", token,
            role is null ? new Dictionary<string, object?> { ["userId"] = userId } : new Dictionary<string, object?> { ["userId"] = userId, ["role"] = role });

    /// <summary>Adds a member, asserts the 201, and answers the membership.</summary>
    public static async Task<JsonElement> AddedAsync(ChatNode node, string token, string room, string userId, string? role = null)
    {
        var answer = await AddMemberAsync(node, token, room, userId, role);
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), $"adding {userId} to {room}: {answer.Text}");
        return answer.Json;
    }

    public static Task<ApiAnswer> RemoveMemberAsync(ChatNode node, string? token, string room, string userId) =>
        CallAsync(node, HttpMethod.Delete, $"/api/rooms/{room}/members/{userId}", token);

    public static Task<ApiAnswer> SetRoleAsync(ChatNode node, string? token, string room, string userId, string role) =>
        CallAsync(node, HttpMethod.Put, $"/api/rooms/{room}/members/{userId}/role", token, new { role });

    public static Task<ApiAnswer> MembersAsync(ChatNode node, string? token, string room, string query = "") =>
        CallAsync(node, HttpMethod.Get, $"/api/rooms/{room}/members{query}", token);

    /// <summary>Every member, paging with <c>after</c> until <c>hasMore</c> is false; asserts each page's 200 and size.</summary>
    public static async Task<List<JsonElement>> AllMembersAsync(ChatNode node, string token, string room, int limit = 200)
    {
        var members = new List<JsonElement>();
        string? after = null;
        while (true)
        {
            var query = after is null ? $"?limit={limit}" : $"?limit={limit}&after={Uri.EscapeDataString(after)}";
            var page = await MembersAsync(node, token, room, query);
            Assert.That(page.Status, Is.EqualTo(HttpStatusCode.OK), page.Text);
            var json = page.Json;
            Assert.That(json.GetProperty("room").GetString(), Is.EqualTo(room));
            var batch = json.GetProperty("members").EnumerateArray().ToList();
            Assert.That(batch, Has.Count.InRange(0, limit), $"a page holds at most limit={limit} members");
            members.AddRange(batch);
            if (!json.GetProperty("hasMore").GetBoolean())
            {
                return members;
            }

            Assert.That(batch, Is.Not.Empty, "a page that says there is more holds at least one member");
            after = batch[^1].GetProperty("userId").GetString();
        }
    }

    public static Task<ApiAnswer> MyRoomsAsync(ChatNode node, string? token, string query = "") =>
        CallAsync(node, HttpMethod.Get, $"/api/me/rooms{query}", token);

    public static Task<ApiAnswer> DirectAsync(ChatNode node, string? token, string userId) =>
        CallAsync(node, HttpMethod.Post, "/api/dm", token, new { userId });

    // ---- moderation -------------------------------------------------------------------------------

    public static Task<ApiAnswer> BanAsync(ChatNode node, string? token, string room, string userId, string reason, string? expiresAt = null) =>
        CallAsync(node, HttpMethod.Post, $"/api/rooms/{room}/bans", token,
            expiresAt is null
                ? new Dictionary<string, object?> { ["userId"] = userId, ["reason"] = reason }
                : new Dictionary<string, object?> { ["userId"] = userId, ["reason"] = reason, ["expiresAt"] = expiresAt });

    public static Task<ApiAnswer> UnbanAsync(ChatNode node, string? token, string room, string userId) =>
        CallAsync(node, HttpMethod.Delete, $"/api/rooms/{room}/bans/{userId}", token);

    public static Task<ApiAnswer> MuteAsync(ChatNode node, string? token, string room, string userId, string? reason = null) =>
        CallAsync(node, HttpMethod.Post, $"/api/rooms/{room}/mutes", token,
            reason is null ? new Dictionary<string, object?> { ["userId"] = userId } : new Dictionary<string, object?> { ["userId"] = userId, ["reason"] = reason });

    public static Task<ApiAnswer> UnmuteAsync(ChatNode node, string? token, string room, string userId) =>
        CallAsync(node, HttpMethod.Delete, $"/api/rooms/{room}/mutes/{userId}", token);

    public static Task<ApiAnswer> AuditAsync(ChatNode node, string? token, string room, string query = "") =>
        CallAsync(node, HttpMethod.Get, $"/api/rooms/{room}/audit{query}", token);

    /// <summary>An ISO 8601 UTC time <paramref name="fromNow"/> away.</summary>
    public static string IsoTime(TimeSpan fromNow) =>
        (DateTime.UtcNow + fromNow).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The messages API page of <paramref name="room"/>, as <paramref name="token"/> reads it.</summary>
    public static Task<ApiAnswer> MessagesAsync(ChatNode node, string? token, string room) =>
        CallAsync(node, HttpMethod.Get, $"/api/rooms/{room}/messages?limit=200", token);

    /// <summary>The texts stored in <paramref name="room"/>, oldest first, read with a service token (which reads every room).</summary>
    public static async Task<string[]> StoredTextsAsync(ChatNode node, string room)
    {
        var page = await MessagesAsync(node, TestTokens.Service(Ids.User("reader")), room);
        Assert.That(page.Status, Is.EqualTo(HttpStatusCode.OK), page.Text);
        return [.. page.Json.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message").GetString()!)];
    }
}

/// <summary>
/// Names unique to one test, so tests sharing the database never see each other's rooms or users.
/// User ids start with letters, so a token never carries them as a number (which would drop leading zeros).
/// </summary>
internal static class Ids
{
    public static string User(string prefix = "u") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static string Room(string prefix = "room") => Rooms.Unique(prefix);
}
