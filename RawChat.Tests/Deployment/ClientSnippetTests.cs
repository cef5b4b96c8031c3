using NUnit.Framework;
using RawChat.Tests.Clients;
using RawChat.Tests.Support;

namespace RawChat.Tests.Deployment;

/// <summary>
/// docs/clients.md shows the client code that the tests run, exactly: each block marked
/// <c>&lt;!-- file: PATH --&gt;</c> equals PATH, and every client file the tests run is shown.
/// </summary>
public sealed class ClientSnippetTests
{
    /// <summary>The files whose code the page shows, each run by a test (tests/clients/kotlin/Main.kt is only that test's harness).</summary>
    private static readonly string[] TestedClients =
    [
        "tests/clients/browser/open-chat.js",
        "tests/clients/kotlin/RawChatClient.kt",
        "tests/clients/backend/publish.sh",
        "RawChat.Tests/Clients/RawChatHttp.cs",
    ];

    [Test]
    public void Every_code_block_taken_from_a_file_shows_that_file_unchanged()
    {
        var shown = ClientsPage.ShownFiles();

        Assert.That(shown, Is.Not.Empty);
        foreach (var (file, code) in shown)
        {
            var path = Path.Combine(NodeTools.RepositoryRoot, file);
            Assert.That(path, Does.Exist, $"docs/clients.md shows {file}, which does not exist");
            var actual = File.ReadAllText(path).ReplaceLineEndings("\n").TrimEnd('\n');
            Assert.That(code, Is.EqualTo(actual),
                $"docs/clients.md shows {file} differently from the file the tests run: copy the file into the page");
        }
    }

    [Test]
    public void Every_tested_client_file_is_shown_and_every_file_under_tests_clients_is_one_of_them()
    {
        var shown = ClientsPage.ShownFiles().Select(s => s.File).ToList();
        var underTestsClients = Directory
            .EnumerateFiles(Path.Combine(NodeTools.RepositoryRoot, "tests", "clients"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(NodeTools.RepositoryRoot, f).Replace('\\', '/'))
            .Where(f => f != "tests/clients/kotlin/Main.kt");

        Assert.That(shown, Is.EquivalentTo(TestedClients));
        Assert.That(underTestsClients, Is.SubsetOf(TestedClients), "a client file under tests/clients that docs/clients.md does not show");
    }

    [Test]
    public void The_page_has_wscat_sessions_for_the_wscat_tests_to_run()
    {
        var sessions = ClientsPage.WscatSessions();

        Assert.That(sessions, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(sessions.Select(s => s.Commands[^1]), Has.All.StartWith("wscat -c "));
    }
}
