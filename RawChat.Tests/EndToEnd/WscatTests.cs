using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;
using RawChat.Tests.Clients;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// The real wscat (npm, installed in tests/browser by scripts/test.sh), used as docs/clients.md tells
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

    /// <summary>
    /// Each session docs/clients.md shows, run as shown: its shell lines (curl and jq included) in a
    /// shell with <c>TOKEN</c> set, against this node and fresh rooms instead of 127.0.0.1:8080, lobby
    /// and team-red. Every line after "&gt; " is typed; the frames after "&lt; " must come back, equal to
    /// the page's but for ids and timestamps (in any order within a run of "&lt; " lines).
    /// </summary>
    [Test]
    public async Task The_sessions_docs_clients_md_shows_get_the_frames_it_shows()
    {
        var sessions = ClientsPage.WscatSessions();
        var rooms = new Dictionary<string, string> { ["lobby"] = Rooms.Unique("lobby"), ["team-red"] = Rooms.Unique("team-red") };
        string Here(string text) => DocumentedRoom().Replace(text, m => rooms[m.Value])
            .Replace("ws://127.0.0.1:8080", Node.WsBase.ToString().TrimEnd('/'), StringComparison.Ordinal)
            .Replace("http://127.0.0.1:8080", Node.HttpBase.ToString().TrimEnd('/'), StringComparison.Ordinal);
        Assert.That(sessions, Is.Not.Empty);

        foreach (var session in sessions)
        {
            await using var wscat = await StartShellAsync(Here(string.Join('\n', session.Commands)), TestTokens.For("42", "alice"));
            var transcript = session.Transcript.Select(Here).ToList();
            for (var i = 0; i < transcript.Count;)
            {
                if (transcript[i].StartsWith("> ", StringComparison.Ordinal))
                {
                    await wscat.WriteLineAsync(transcript[i++][2..]);
                    continue;
                }

                var expected = transcript.Skip(i).TakeWhile(l => l.StartsWith("< ", StringComparison.Ordinal)).Select(l => Json(l[2..])).ToList();
                i += expected.Count;
                for (var left = expected.Count; left > 0; left--)
                {
                    var frame = await ReceiveAsync(wscat);
                    var match = expected.FindIndex(e => SameFrame(e, frame));
                    Assert.That(match, Is.GreaterThanOrEqualTo(0),
                        $"{session.Commands[^1]}: wscat showed {frame}, which docs/clients.md does not show here; expected one of:\n"
                        + string.Join('\n', expected));
                    expected.RemoveAt(match);
                }
            }
        }
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

    /// <summary>Runs <paramref name="commands"/> (ending in a wscat command) in bash with TOKEN set and wscat on the PATH.</summary>
    private static Task<ToolProcess> StartShellAsync(string commands, string token)
    {
        var bin = Path.GetDirectoryName(NodeTools.RequireModule(".bin/wscat"))!;
        return StartUnderTerminalAsync(commands, new Dictionary<string, string>
        {
            ["SHELL"] = "/bin/bash",
            ["TOKEN"] = token,
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
        });
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
        return await StartUnderTerminalAsync(command, new Dictionary<string, string>());
    }

    private static async Task<ToolProcess> StartUnderTerminalAsync(string command, Dictionary<string, string> environment)
    {
        environment["TERM"] = "dumb";
        var process = ToolProcess.Start("script", ["--quiet", "--return", "--flush", "--command", command, "/dev/null"],
            NodeTools.BrowserTests, environment);
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

    /// <summary>Equal JSON, except that "id" and "timestamp" need only be there with the same kind of value.</summary>
    private static bool SameFrame(JsonElement expected, JsonElement actual)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            return false;
        }

        return expected.ValueKind switch
        {
            JsonValueKind.Object =>
                expected.EnumerateObject().Select(p => p.Name).Order().SequenceEqual(actual.EnumerateObject().Select(p => p.Name).Order())
                && expected.EnumerateObject().All(p => p.Name is "id" or "timestamp"
                    ? p.Value.ValueKind == actual.GetProperty(p.Name).ValueKind
                    : SameFrame(p.Value, actual.GetProperty(p.Name))),
            JsonValueKind.Array =>
                expected.GetArrayLength() == actual.GetArrayLength()
                && expected.EnumerateArray().Zip(actual.EnumerateArray()).All(pair => SameFrame(pair.First, pair.Second)),
            _ => JsonElement.DeepEquals(expected, actual),
        };
    }

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>What a terminal shows of a line: escape sequences dropped, only the text after the last carriage return.</summary>
    private static string Screen(string line)
    {
        var text = TerminalEscape().Replace(line, "");
        return text.Split('\r').LastOrDefault(part => part.Length > 0)?.TrimEnd() ?? "";
    }

    private static string ShellQuote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"\b(lobby|team-red)\b")]
    private static partial Regex DocumentedRoom();

    [GeneratedRegex(@"\x1B\[[0-9;?]*[ -/]*[@-~]")]
    private static partial Regex TerminalEscape();
}
