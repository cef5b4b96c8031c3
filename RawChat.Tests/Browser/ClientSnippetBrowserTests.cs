using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RawChat.Core.Storage;
using RawChat.Tests.Support;

namespace RawChat.Tests.Browser;

/// <summary>
/// The browser client docs/clients.md shows (tests/clients/browser/open-chat.js, which the document
/// must show unchanged: see ClientSnippetTests), in headless Chromium: tests/browser/open-chat-e2e.mjs
/// loads it into two pages and checks posting, joining, a dropped socket and the catch-up with since.
/// </summary>
public sealed class ClientSnippetBrowserTests : NodeFixture
{
    private const int SeededMessages = 3;

    [Test]
    public async Task The_documented_browser_client_chats_and_catches_up_after_a_dropped_socket()
    {
        NodeTools.RequireChromium();
        NodeTools.RequireModule("playwright-core/package.json");
        var room = Rooms.Unique("snippet");
        var other = Rooms.Unique("snippet-other");
        var writer = Node.Services.GetRequiredService<GroupCommitWriter>();
        for (var i = 1; i <= SeededMessages; i++)
        {
            await writer.AppendAsync(new NewMessage(room, "310", "carol", $"seed {i}", null));
        }

        await using var run = ToolProcess.Start("node",
        [
            "open-chat-e2e.mjs", Node.HttpBase.ToString(), TestTokens.For("311", "alice"), TestTokens.For("312", "bob"),
            room, other, SeededMessages.ToString(CultureInfo.InvariantCulture),
        ], NodeTools.BrowserTests);
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(3));
        await TestContext.Out.WriteLineAsync(run.Output);

        Assert.That(exitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("open-chat snippet: all checks passed"));
    }
}
