using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;

namespace RawChat.Tests.Deployment;

/// <summary>
/// deploy/nginx.conf on a real nginx in front of two real nodes. The issue behind it: a node
/// resetting a proxied socket made nginx write the request line, <c>?token=</c> and all, into its
/// error log. Each such test runs the same events against a copy of the file whose error logs are
/// lowered to <c>info</c>, and shows that copy does log the token: the file's levels keep it out.
/// </summary>
public sealed class NginxProxyTests
{
    private static readonly string Config = Path.Combine(NodeTools.RepositoryRoot, "deploy", "nginx.conf");

    private readonly NodeSockets _sockets = new();
    private ChatNode _a = null!;
    private ChatNode _b = null!;
    private NginxServer _nginx = null!;
    private NginxServer _atInfo = null!;

    [OneTimeSetUp]
    public async Task StartNodesAndNginxAsync()
    {
        _a = await ChatNode.StartAsync(configure: b => b.Services.AddSingleton<IStartupFilter>(_sockets));
        _b = await ChatNode.StartAsync(configure: b => b.Services.AddSingleton<IStartupFilter>(_sockets));
        _nginx = await NginxServer.StartAsync(Config, [_a.HttpBase.Authority, _b.HttpBase.Authority]);
        _atInfo = await NginxServer.StartAsync(Config, [_a.HttpBase.Authority, _b.HttpBase.Authority], errorLogLevel: "info");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        foreach (var nginx in new[] { _nginx, _atInfo }.Where(n => n is not null))
        {
            await nginx.DisposeAsync();
        }

        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Test]
    public async Task A_node_resetting_a_socket_leaves_no_token_in_the_error_log_where_info_level_would_show_it()
    {
        var kept = await ResetByNodeAsync(_nginx);
        var shown = await ResetByNodeAsync(_atInfo);

        AssertNoPartOf(kept, _nginx);
        AssertLogged(shown, _atInfo, "[error]", "recv() failed (104: Connection reset by peer) while proxying upgraded connection");
    }

    [Test]
    public async Task A_client_resetting_a_socket_leaves_no_token_in_the_error_log_where_info_level_would_show_it()
    {
        var kept = await ResetByClientAsync(_nginx);
        var shown = await ResetByClientAsync(_atInfo);

        AssertNoPartOf(kept, _nginx);
        AssertLogged(shown, _atInfo, "[info]", "recv() failed (104: Connection reset by peer) while proxying upgraded connection");
    }

    [Test]
    public async Task A_dead_node_leaves_no_token_in_the_error_log_and_the_socket_reaches_the_live_node()
    {
        // The dead node comes first: each worker's first pick, so the first socket meets it.
        string[] upstreams = [$"127.0.0.1:{FreePort.Next()}", _a.HttpBase.Authority];
        await using var nginx = await NginxServer.StartAsync(Config, upstreams);
        await using var atInfo = await NginxServer.StartAsync(Config, upstreams, errorLogLevel: "info");

        var kept = await ChatPastDeadNodeAsync(nginx);
        var shown = await ChatPastDeadNodeAsync(atInfo);

        AssertNoPartOf(kept, nginx);
        AssertLogged(shown, atInfo, "[error]", "connect() failed (111: Connection refused) while connecting to upstream");
    }

    [Test]
    public async Task Message_posted_on_a_socket_through_nginx_reaches_another_socket_through_nginx()
    {
        var room = Rooms.Unique("nginx");
        await using var alice = await ChatClient.ConnectAsync(_nginx.Ws($"/ws/chat/{room}?token={TestTokens.For("711", "alice")}"));
        await using var bob = await ChatClient.ConnectAsync(_nginx.Ws($"/ws/chat/{room}?token={TestTokens.For("712", "bob")}"));

        await alice.SendTextAsync("""{"message": "through nginx"}""");

        var received = await bob.ReceiveTypeAsync("message");
        Assert.That(received.GetProperty("message").GetString(), Is.EqualTo("through nginx"));
        Assert.That(received.GetProperty("user").GetString(), Is.EqualTo("alice"));
    }

    [Test]
    public async Task Metrics_is_404_through_nginx_however_spelled_while_health_readiness_and_the_api_answer()
    {
        // Every spelling that reaches the metrics on a node directly (Kestrel decodes %6D, removes
        // dot segments, routes case-insensitively and accepts a trailing slash).
        string[] spellings = ["/metrics", "/metrics/", "/METRICS", "/Metrics/", "/%6Detrics", "/./metrics", "/ws/../metrics", "/metrics?x=1"];
        var room = Rooms.Unique("nginx");
        using var http = new HttpClient { BaseAddress = _nginx.HttpBase, Timeout = TimeSpan.FromSeconds(30) };
        using var messages = new HttpRequestMessage(HttpMethod.Get, $"/api/rooms/{room}/messages");
        messages.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For("713", "reader"));

        using var healthz = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var readyz = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        using var api = await http.SendAsync(messages);

        Assert.Multiple(async () =>
        {
            foreach (var target in spellings)
            {
                Assert.That(await RawHttp.StatusOfGetAsync(_a.HttpBase, target), Is.EqualTo(200), $"{target} straight on a node");
                Assert.That(await RawHttp.StatusOfGetAsync(_nginx.HttpBase, target), Is.EqualTo(404), $"{target} through nginx");
            }

            Assert.That(await RawHttp.StatusOfGetAsync(_nginx.HttpBase, "//metrics"), Is.EqualTo(404), "//metrics through nginx");
            Assert.That(healthz.StatusCode, Is.EqualTo(HttpStatusCode.OK), "/healthz through nginx");
            Assert.That(readyz.StatusCode, Is.EqualTo(HttpStatusCode.OK), "/readyz through nginx");
            Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.OK), "/api/rooms/{room}/messages through nginx");
        });
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /// <summary>Opens a socket through <paramref name="nginx"/>, then the node resets its side; returns the token.</summary>
    private async Task<string> ResetByNodeAsync(NginxServer nginx)
    {
        var (path, token) = NewSocket();
        await using var client = await ChatClient.ConnectAsync(nginx.Ws($"{path}?token={token}"));

        RawHttp.Reset(await _sockets.WaitForAsync(path));

        Assert.That((await client.WaitForCloseAsync()).Status, Is.Null, "nginx drops the client's socket without a close frame");
        await WaitForAccessLineAsync(nginx, path);
        return token;
    }

    /// <summary>Opens a socket through <paramref name="nginx"/>, then resets it from the client's side; returns the token.</summary>
    private static async Task<string> ResetByClientAsync(NginxServer nginx)
    {
        var (path, token) = NewSocket();
        var socket = await RawHttp.OpenWebSocketAsync(nginx.HttpBase, $"{path}?token={token}");

        RawHttp.Reset(socket);

        await WaitForAccessLineAsync(nginx, path);
        return token;
    }

    /// <summary>Opens a socket through <paramref name="nginx"/>, whose first upstream is dead, and pings over it.</summary>
    private static async Task<string> ChatPastDeadNodeAsync(NginxServer nginx)
    {
        var (path, token) = NewSocket();
        await using (var client = await ChatClient.ConnectAsync(nginx.Ws($"{path}?token={token}")))
        {
            await client.ExpectNothingPendingAsync();
        }

        await WaitForAccessLineAsync(nginx, path);
        return token;
    }

    private static (string Path, string Token) NewSocket() =>
        ($"/ws/chat/{Rooms.Unique("nginx")}", TestTokens.For("714", "resetter"));

    /// <summary>nginx writes the access-log line when it has finished with a request, after any error line.</summary>
    private static async Task WaitForAccessLineAsync(NginxServer nginx, string path) =>
        Assert.That(await Eventually.HoldsAsync(() => Task.FromResult(nginx.ReadAccessLog().Contains($"\"GET {path} HTTP/1.1\" 101", StringComparison.Ordinal))),
            Is.True, $"nginx's access log shows the socket to {path} ended:\n{nginx.ReadAccessLog()}");

    private static void AssertNoPartOf(string token, NginxServer nginx)
    {
        var log = nginx.ReadErrorLog();
        var parts = token.Split('.');
        Assert.That(log, Does.Not.Contain("token=").And.Not.Contain(parts[1]).And.Not.Contain(parts[2]),
            "nginx's error log with deploy/nginx.conf as it is");
    }

    /// <summary>The copy at info level logged the event at <paramref name="level"/>, token included.</summary>
    private static void AssertLogged(string token, NginxServer nginx, string level, string text)
    {
        var lines = nginx.ReadErrorLog().Split('\n')
            .Where(l => l.Contains(text, StringComparison.Ordinal) && l.Contains($"?token={token}", StringComparison.Ordinal)).ToList();
        foreach (var line in lines)
        {
            TestContext.Out.WriteLine(line.Replace(token, "<jwt>", StringComparison.Ordinal));
        }

        Assert.That(lines, Has.Some.Contains(level),
            $"the copy of nginx.conf at info level logs '{text}' with the request line:\n{nginx.ReadErrorLog()}");
    }
}
