using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Clients;

/// <summary>
/// The backend code docs/clients.md shows, run against a real node: tests/clients/backend/publish.sh
/// (curl and jq) and <see cref="RawChatHttp"/> (HttpClient). ClientSnippetTests keeps the document
/// showing exactly these files.
/// </summary>
public sealed class BackendSnippetTests : NodeFixture
{
    [Test]
    public async Task The_curl_script_publishes_once_per_idempotency_key()
    {
        var room = Rooms.Unique("curl");
        await using var reader = await Node.ConnectAsync(TestTokens.For("330", "rita"), path: $"/ws/chat/{room}");

        var first = await PublishWithCurlAsync(room, "deploy 77 finished", "deploy-77");
        var repeat = await PublishWithCurlAsync(room, "deploy 77 finished", "deploy-77");

        Assert.That(first.GetProperty("duplicate").GetBoolean(), Is.False);
        Assert.That(first.GetProperty("user").GetString(), Is.EqualTo("Deploy bot"));
        Assert.That(first.GetProperty("clientMsgId").GetString(), Is.EqualTo("deploy-77"));
        Assert.That(repeat.GetProperty("duplicate").GetBoolean(), Is.True);
        Assert.That(repeat.GetProperty("seq").GetInt64(), Is.EqualTo(first.GetProperty("seq").GetInt64()));
        var frame = await reader.ReceiveTypeAsync("message");
        Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo("deploy 77 finished"));
        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("Deploy bot"));
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("svc-1"));
        await reader.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task The_curl_script_fails_on_a_refusal_and_says_why()
    {
        var (exitCode, output) = await RunCurlScriptAsync(Rooms.Unique("curl"), "hi", "k-1", TestTokens.For("331", "user"));

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(output, Does.Contain("publish failed: 403").And.Contain("\"forbidden\""));
    }

    [Test]
    public async Task The_HttpClient_class_publishes_once_per_key_and_fetches_a_ticket_that_connects()
    {
        var room = Rooms.Unique("dotnet");
        await using var reader = await Node.ConnectAsync(TestTokens.For("332", "rita"), path: $"/ws/chat/{room}");
        using var http = Node.Http();
        var chat = new RawChatHttp(http);
        var service = TestTokens.Service("svc-2", "billing");

        var first = await chat.PublishAsync(service, room, "invoice 12 paid", "Billing", "invoice-12");
        var repeat = await chat.PublishAsync(service, room, "invoice 12 paid", "Billing", "invoice-12");

        Assert.That(first.GetProperty("duplicate").GetBoolean(), Is.False);
        Assert.That(repeat.GetProperty("duplicate").GetBoolean(), Is.True);
        var frame = await reader.ReceiveTypeAsync("message");
        Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo("invoice 12 paid"));
        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("Billing"));
        await reader.ExpectNothingPendingAsync();

        var ticket = await chat.TicketAsync(TestTokens.For("333", "tess"));
        await using var tess = await ChatClient.ConnectAsync(Node.Chat($"/ws/chat/{room}?ticket={ticket}"));
        await tess.SendTextAsync("""{"message": "in with a ticket"}""");
        var posted = await reader.ReceiveTypeAsync("message");
        Assert.That(posted.GetProperty("user").GetString(), Is.EqualTo("tess"));
        Assert.That(posted.GetProperty("message").GetString(), Is.EqualTo("in with a ticket"));
    }

    [Test]
    public void The_HttpClient_class_throws_with_the_status_and_error_on_a_refusal()
    {
        using var http = Node.Http();
        var chat = new RawChatHttp(http);

        var refused = Assert.ThrowsAsync<HttpRequestException>(() =>
            chat.PublishAsync(TestTokens.For("334", "user"), Rooms.Unique("dotnet"), "hi", "me", "k-1"));

        Assert.That(refused!.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden));
        Assert.That(refused.Message, Does.Contain("\"forbidden\""));
    }

    private async Task<JsonElement> PublishWithCurlAsync(string room, string message, string key)
    {
        var (exitCode, output) = await RunCurlScriptAsync(room, message, key, TestTokens.Service("svc-1", "deploy-bot"));
        Assert.That(exitCode, Is.EqualTo(0), output);
        using var stored = JsonDocument.Parse(output);
        return stored.RootElement.Clone();
    }

    private async Task<(int ExitCode, string Output)> RunCurlScriptAsync(string room, string message, string key, string token)
    {
        var script = Path.Combine(NodeTools.RepositoryRoot, "tests", "clients", "backend", "publish.sh");
        await using var run = ToolProcess.Start("bash", [script, room, message, key], NodeTools.RepositoryRoot,
            new Dictionary<string, string> { ["RAWCHAT_URL"] = Node.HttpBase.ToString().TrimEnd('/'), ["SERVICE_TOKEN"] = token });
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, run.Output);
    }
}
