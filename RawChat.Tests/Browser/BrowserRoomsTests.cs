using System.Net;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Browser;

/// <summary>
/// The browser page's member list, room list and "new direct message" action (docs/protocol.md §14),
/// in headless Chromium: tests/browser/rooms-e2e.mjs drives user B's page while this test, as user A,
/// sets the scene and changes the room over the HTTP API when the script asks (a line "@@ add-c" or
/// "@@ remove-b", answered "done"). The script also runs the rooms snippet of docs/clients.md.
/// </summary>
public sealed class BrowserRoomsTests : NodeFixture
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);

    [Test]
    public async Task Page_lists_members_live_switches_rooms_and_starts_a_direct_message_in_Chromium()
    {
        NodeTools.RequireChromium();
        NodeTools.RequireModule("playwright-core/package.json");
        var (userA, userB, userC, userD) = (NewUser("a"), NewUser("b"), NewUser("c"), NewUser("d"));
        var (tokenA, tokenB, tokenD) = (TestTokens.For(userA, "alice"), TestTokens.For(userB, "bob"), TestTokens.For(userD, "dave"));
        var reader = TestTokens.Service(NewUser("reader"));

        // User A's private room, with B as a member; C is never seen, D has used the API once.
        var created = await CallAsync(HttpMethod.Post, "/api/rooms", tokenA, new { kind = "private", topic = "launch plans" });
        Assert.That(created.Status, Is.EqualTo(HttpStatusCode.Created), created.Text);
        var room = created.Json.GetProperty("room").GetString()!;
        await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/rooms/{room}/members", tokenA, new { userId = userB });
        await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/me/rooms", tokenD);
        var aWithD = await CallAsync(HttpMethod.Post, "/api/dm", tokenA, new { userId = userD });
        Assert.That(aWithD.Status, Is.EqualTo(HttpStatusCode.Created), aWithD.Text);
        // Names are recorded within a second of a sighting: wait for them, so the page has them to show.
        await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/me/rooms", tokenB);
        await NamesAsync(reader, room, ["alice", "bob"]);
        await NamesAsync(reader, aWithD.Json.GetProperty("room").GetString()!, ["alice", "dave"]);

        var screenshot = Path.Combine(NodeTools.RepositoryRoot, "TestResults", "browser-rooms.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);

        await using var run = ToolProcess.Start("node",
        [
            "rooms-e2e.mjs", Node.HttpBase.ToString(), tokenB, userA, userB, userC, userD, room,
            Rooms.Unique("browser-open"), screenshot,
        ], NodeTools.BrowserTests);
        // A failure here ends the test; disposing of the run then ends the script (it prints what it saw).
        await run.WaitForLineAsync(line => line == "@@ add-c", StepTimeout);
        await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/rooms/{room}/members", tokenA, new { userId = userC });
        await run.WriteLineAsync("done");

        var dmLine = await run.WaitForLineAsync(line => line.StartsWith("dm room: ", StringComparison.Ordinal), StepTimeout);
        var dmRoom = dmLine["dm room: ".Length..];
        var dWithB = await CallAsync(HttpMethod.Post, "/api/dm", tokenD, new { userId = userB });
        Assert.That(dWithB.Status, Is.EqualTo(HttpStatusCode.OK), $"the page should have made the direct room: {dWithB.Text}");
        Assert.That(dWithB.Json.GetProperty("room").GetString(), Is.EqualTo(dmRoom));

        await run.WaitForLineAsync(line => line == "@@ remove-b", StepTimeout);
        await ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/rooms/{room}/members/{userB}", tokenA);
        await run.WriteLineAsync("done");

        var exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(3));
        await TestContext.Out.WriteLineAsync(run.Output);
        if (File.Exists(screenshot))
        {
            TestContext.AddTestAttachment(screenshot, "user B's page: the private room's members, C added live");
        }

        Assert.That(exitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("browser rooms: all checks passed"));
        Assert.That(screenshot, Does.Exist);
    }

    /// <summary>A user id that starts with a letter, so a token carries it as a string.</summary>
    private static string NewUser(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private Task<ApiAnswer> CallAsync(HttpMethod method, string path, string token, object? body = null) =>
        ApiAnswer.SendAsync(Node, method, path, token,
            body is null ? null : new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    private async Task ExpectAsync(HttpStatusCode status, HttpMethod method, string path, string token, object? body = null)
    {
        var answer = await CallAsync(method, path, token, body);
        Assert.That(answer.Status, Is.EqualTo(status), $"{method} {path}: {answer.Text}");
    }

    /// <summary>Waits until the room's members carry these names (read with a service token, which has no request budget).</summary>
    private async Task NamesAsync(string serviceToken, string room, string[] names) =>
        await Eventually.ThatAsync(async () =>
        {
            var page = await CallAsync(HttpMethod.Get, $"/api/rooms/{room}/members", serviceToken);
            return page.Status == HttpStatusCode.OK
                ? page.Json.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("name").GetString()).Order(StringComparer.Ordinal).ToArray()
                : [$"{page.Status}: {page.Text}"];
        }, Is.EqualTo(names), $"the names of {room}'s members");
}
