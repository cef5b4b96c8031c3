using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RawChat.Core.Storage;
using RawChat.Tests.Support;

namespace RawChat.Tests.Clients;

/// <summary>
/// The Kotlin/OkHttp client docs/clients.md shows (tests/clients/kotlin/RawChatClient.kt), compiled
/// with Debian's kotlinc against Debian's OkHttp and org.json jars, then run against a real node by
/// the harness tests/clients/kotlin/Main.kt. scripts/test.sh installs the packages (scripts/lib/client-tools.sh).
/// </summary>
public sealed class KotlinClientTests : NodeFixture
{
    private static readonly string[] Jars =
        ["/usr/share/java/okhttp.jar", "/usr/share/java/okio.jar", "/usr/share/java/com.android.json.jar"];

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private string _classes = null!;

    [OneTimeSetUp]
    public async Task CompileAsync()
    {
        foreach (var tool in new[] { "/usr/bin/kotlinc", "/usr/bin/kotlin" }.Concat(Jars))
        {
            if (!File.Exists(tool))
            {
                Assert.Fail($"{tool} is missing. Run scripts/test.sh, which installs Debian's kotlin, libokhttp-java "
                    + "and libandroid-json-java, or install them yourself with apt-get.");
            }
        }

        _classes = Directory.CreateTempSubdirectory("rawchat-kotlin-").FullName;
        var sources = Directory.GetFiles(Path.Combine(NodeTools.RepositoryRoot, "tests", "clients", "kotlin"), "*.kt");
        await using var kotlinc = ToolProcess.Start("kotlinc",
            ["-cp", string.Join(':', Jars), "-d", _classes, .. sources], _classes);
        var exitCode = await kotlinc.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.That(exitCode, Is.EqualTo(0), $"kotlinc failed:\n{kotlinc.Output}");
    }

    [OneTimeTearDown]
    public void RemoveClasses()
    {
        if (_classes is not null)
        {
            Directory.Delete(_classes, recursive: true);
        }
    }

    [Test]
    public async Task The_documented_Kotlin_client_gets_the_history_posts_and_receives()
    {
        var room = Rooms.Unique("kotlin");
        var writer = Node.Services.GetRequiredService<GroupCommitWriter>();
        await writer.AppendAsync(new NewMessage(room, "320", "carol", "seed 1", null));
        await writer.AppendAsync(new NewMessage(room, "320", "carol", "seed 2", null));
        await using var bob = await Node.ConnectAsync(TestTokens.For("322", "bob"), path: $"/ws/chat/{room}");

        await using var kotlin = ToolProcess.Start("kotlin",
        [
            "-cp", string.Join(':', [_classes, .. Jars]), "MainKt",
            Node.WsBase.ToString().TrimEnd('/'), TestTokens.For("321", "kim"), room,
        ], _classes);

        Assert.That((await NextMessageAsync(kotlin)).GetProperty("message").GetString(), Is.EqualTo("seed 1"), "history, oldest first");
        Assert.That((await NextMessageAsync(kotlin)).GetProperty("message").GetString(), Is.EqualTo("seed 2"));

        await kotlin.WriteLineAsync($"post {room} hello from kotlin");
        var posted = await bob.ReceiveTypeAsync("message");
        Assert.That(posted.GetProperty("user").GetString(), Is.EqualTo("kim"));
        Assert.That(posted.GetProperty("message").GetString(), Is.EqualTo("hello from kotlin"));
        var echoed = await NextMessageAsync(kotlin);
        Assert.That(echoed.GetProperty("seq").GetInt64(), Is.EqualTo(posted.GetProperty("seq").GetInt64()));

        await bob.SendTextAsync("""{"message": "hello kim"}""");
        var heard = await NextMessageAsync(kotlin);
        Assert.That(heard.GetProperty("user").GetString(), Is.EqualTo("bob"));
        Assert.That(heard.GetProperty("message").GetString(), Is.EqualTo("hello kim"));

        await kotlin.WriteLineAsync("stop");
        Assert.That(await kotlin.WaitForExitAsync(Timeout), Is.EqualTo(0), kotlin.Output);
    }

    /// <summary>The next message the client handed to its onMessage callback.</summary>
    private static async Task<JsonElement> NextMessageAsync(ToolProcess kotlin)
    {
        var line = await kotlin.WaitForLineAsync(l => l.StartsWith("message ", StringComparison.Ordinal), Timeout);
        using var frame = JsonDocument.Parse(line["message ".Length..]);
        return frame.RootElement.Clone();
    }
}
