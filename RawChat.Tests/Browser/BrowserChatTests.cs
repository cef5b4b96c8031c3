using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RawChat.Core.Storage;
using RawChat.Tests.Support;

namespace RawChat.Tests.Browser;

/// <summary>
/// The browser page at <c>/</c>, in headless Chromium: tests/browser/chat-e2e.mjs drives two
/// pages with playwright-core against a real node and prints one line per check.
/// </summary>
public sealed class BrowserChatTests : NodeFixture
{
    private const int SeededMessages = 60; // more than one history page of 50: "load older" is needed

    [Test]
    public async Task The_page_and_its_script_and_styles_are_served_at_the_root()
    {
        using var http = Node.Http();

        var page = await http.GetAsync("/");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("<script type=\"module\" src=\"app.js\">"));

        foreach (var (path, type) in new[] { ("/app.js", "text/javascript"), ("/style.css", "text/css") })
        {
            var file = await http.GetAsync(path);
            Assert.That(file.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            Assert.That(file.Content.Headers.ContentType?.MediaType, Is.EqualTo(type), path);
        }
    }

    [Test]
    public async Task Two_people_chat_in_Chromium_and_a_page_that_lost_its_socket_catches_up_with_since()
    {
        NodeTools.RequireChromium();
        NodeTools.RequireModule("playwright-core/package.json");
        var room = Rooms.Unique("browser");
        var writer = Node.Services.GetRequiredService<GroupCommitWriter>();
        for (var i = 1; i <= SeededMessages; i++)
        {
            await writer.AppendAsync(new NewMessage(room, "300", "carol", $"seed {i}", null));
        }

        var screenshot = Path.Combine(NodeTools.RepositoryRoot, "TestResults", "browser-chat.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);

        await using var run = ToolProcess.Start("node",
        [
            "chat-e2e.mjs", Node.HttpBase.ToString(), TestTokens.For("301", "alice"), TestTokens.For("302", "bob"),
            room, screenshot, SeededMessages.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ], NodeTools.BrowserTests);
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(3));

        await TestContext.Out.WriteLineAsync(run.Output);
        if (File.Exists(screenshot))
        {
            TestContext.AddTestAttachment(screenshot, "page 1 after the conversation");
        }

        Assert.That(exitCode, Is.EqualTo(0), run.Output);
        Assert.That(run.Output, Does.Contain("browser chat: all checks passed"));
        Assert.That(screenshot, Does.Exist);
    }
}
