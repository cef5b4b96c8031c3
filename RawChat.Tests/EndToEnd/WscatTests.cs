using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// The real wscat (npm, installed in tests/browser by scripts/test.sh), used as the README tells
/// people to: connect, type a JSON line, read the frames it prints after "&lt; ".
/// </summary>
public sealed partial class WscatTests : NodeFixture
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Wscat_with_the_token_in_the_url_posts_a_typed_line_and_the_room_receives_it()
    {
        var room = Rooms.Unique("wscat");
        await using var bob = await Node.ConnectAsync(TestTokens.For("402", "bob"), path: $"/ws/chat/{room}");
        var token = TestTokens.For("401", "walter");
        await using var wscat = await StartWscatAsync("-c", Node.Chat($"/ws/chat?token={token}&room={room}").ToString());

        await wscat.WriteLineAsync("""{"message":"from wscat"}""");

        AssertMessage(await ReceiveAsync(wscat), room, "walter", "from wscat");
        AssertMessage(await bob.ReceiveAsync(), room, "walter", "from wscat");
    }

    [Test]
    public async Task Wscat_with_a_ticket_in_the_url_posts_as_the_tokens_user()
    {
        var room = Rooms.Unique("wscat");
        await using var bob = await Node.ConnectAsync(TestTokens.For("406", "bob"), path: $"/ws/chat/{room}");
        var ticket = await TicketTests.TicketAsync(Node, TestTokens.For("405", "wilma")); // README: curl -X POST …/api/tickets
        await using var wscat = await StartWscatAsync("-c", Node.Chat($"/ws/chat/{room}?ticket={ticket}").ToString());

        await wscat.WriteLineAsync("""{"message":"from wscat"}""");

        AssertMessage(await ReceiveAsync(wscat), room, "wilma", "from wscat");
        AssertMessage(await bob.ReceiveAsync(), room, "wilma", "from wscat");
    }

    [Test]
    public async Task Wscat_with_a_bearer_header_shows_what_others_post_and_posts_back()
    {
        var room = Rooms.Unique("wscat");
        await using var bob = await Node.ConnectAsync(TestTokens.For("404", "bob"), path: $"/ws/chat/{room}");
        await using var wscat = await StartWscatAsync(
            "-c", Node.Chat($"/ws/chat/{room}").ToString(), "-H", $"Authorization: Bearer {TestTokens.For("403", "wendy")}");

        await bob.SendTextAsync("""{"message": "hello wscat"}""");
        AssertMessage(await ReceiveAsync(wscat), room, "bob", "hello wscat");
        AssertMessage(await bob.ReceiveAsync(), room, "bob", "hello wscat");

        await wscat.WriteLineAsync("""{"message":"from wscat"}""");
        AssertMessage(await ReceiveAsync(wscat), room, "wendy", "from wscat");
        AssertMessage(await bob.ReceiveAsync(), room, "wendy", "from wscat");
    }

    /// <summary>
    /// Starts wscat and waits for its "Connected" line. wscat prints that line, its prompt and
    /// the "&lt; " before each frame only on a terminal, so it runs under script(1), which gives it
    /// a pseudo-terminal as a shell would.
    /// </summary>
    private static async Task<ToolProcess> StartWscatAsync(params string[] arguments)
    {
        var wscat = NodeTools.RequireModule(".bin/wscat");
        var command = string.Join(' ', new[] { wscat, "--no-color" }.Concat(arguments).Select(ShellQuote));
        var process = ToolProcess.Start("script", ["--quiet", "--return", "--flush", "--command", command, "/dev/null"],
            NodeTools.BrowserTests, new Dictionary<string, string> { ["TERM"] = "dumb" });
        try
        {
            await process.WaitForLineAsync(line => line.StartsWith("Connected", StringComparison.Ordinal), Timeout, Screen);
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next frame wscat printed, as "&lt; {json}".</summary>
    private static async Task<JsonElement> ReceiveAsync(ToolProcess wscat)
    {
        var line = await wscat.WaitForLineAsync(l => l.StartsWith("< ", StringComparison.Ordinal), Timeout, Screen);
        using var document = JsonDocument.Parse(line[2..]);
        return document.RootElement.Clone();
    }

    private static void AssertMessage(JsonElement frame, string room, string user, string text)
    {
        Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("message"), frame.ToString());
        Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo(user));
        Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo(text));
    }

    /// <summary>What a terminal shows of a line: escape sequences dropped, only the text after the last carriage return.</summary>
    private static string Screen(string line)
    {
        var text = TerminalEscape().Replace(line, "");
        return text.Split('\r').LastOrDefault(part => part.Length > 0)?.TrimEnd() ?? "";
    }

    private static string ShellQuote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"\x1B\[[0-9;?]*[ -/]*[@-~]")]
    private static partial Regex TerminalEscape();
}
