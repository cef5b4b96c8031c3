using System.Net;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// docs/configuration.md "Quotas": a user holds at most <c>Quotas:MaxConnectionsPerUser</c> sockets (default 20)
/// across all nodes; past it the handshake is refused 429 <c>too_many_connections</c>.
/// </summary>
public sealed class ConnectionQuotaTests() : TwoNodeFixture()
{
    private const int Limit = 20; // the default

    [Test]
    public async Task Twenty_first_socket_of_a_user_across_two_nodes_is_refused_429_with_retry_after_while_another_user_connects()
    {
        var user = UniqueUser();
        var token = TestTokens.For(user, "uma");
        await using var sockets = await OpenAsync(token, (A, Limit / 2), (B, Limit / 2));

        var onA = await Handshake.SendAsync(A, $"/ws/chat?token={token}");
        var onB = await Handshake.SendAsync(B, $"/ws/chat?token={token}");

        AssertTooManyConnections(onA);
        AssertTooManyConnections(onB);
        foreach (var node in new[] { A, B })
        {
            await using var other = await node.ConnectAsync(TestTokens.For(UniqueUser(), "vera"));
            await other.ExpectNothingPendingAsync();
        }
    }

    [Test]
    public async Task Closing_one_socket_on_one_node_frees_a_place_for_the_user_on_the_other()
    {
        var token = TestTokens.For(UniqueUser(), "wanda");
        await using var sockets = await OpenAsync(token, (A, Limit - 5), (B, 5));
        AssertTooManyConnections(await Handshake.SendAsync(B, $"/ws/chat?token={token}"));

        await sockets.CloseOneAsync();

        // The place comes back once node A has seen the close; poll until it has.
        ChatClient? again = null;
        Assert.That(await Eventually.HoldsAsync(async () => (again = await TryConnectAsync(B, token)) is not null), Is.True,
            "the freed place was not given back");
        await using (again)
        {
            await again!.ExpectNothingPendingAsync();
            AssertTooManyConnections(await Handshake.SendAsync(A, $"/ws/chat?token={token}"));
        }
    }

    /// <summary>The §1 body, 429, Retry-After.</summary>
    internal static void AssertTooManyConnections(Handshake.Answer answer)
    {
        var context = $"{(int)answer.Status}\n{answer.Text}";
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.TooManyRequests), context);
        Assert.That(answer.Response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), context);
        var body = answer.Body!.Value;
        Assert.That(body.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "error", "detail" }), context);
        Assert.That(answer.Error, Is.EqualTo("too_many_connections"), context);
        Assert.That(body.GetProperty("detail").GetString(), Is.Not.Empty, context);
        Assert.That(answer.Response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero), $"429 without Retry-After: {context}");
    }

    internal static string UniqueUser() => $"q-{Guid.NewGuid():N}";

    /// <summary>Connects, or null when the handshake was refused 429 (any other answer fails the test).</summary>
    internal static async Task<ChatClient?> TryConnectAsync(ChatNode node, string token)
    {
        var (client, refused) = await ChatClient.TryConnectAsync(node.Chat($"/ws/chat?token={token}"));
        Assert.That(client is not null || refused == HttpStatusCode.TooManyRequests, Is.True, $"refused {(int)refused}, not 429");
        return client;
    }

    /// <summary>Opens sockets with one token on each node, and holds them until disposed.</summary>
    internal static async Task<Sockets> OpenAsync(string token, params (ChatNode Node, int Count)[] where)
    {
        var sockets = new Sockets();
        foreach (var (node, count) in where)
        {
            for (var i = 0; i < count; i++)
            {
                var client = await node.ConnectAsync(token);
                sockets.Add(client);
                await client.ExpectNothingPendingAsync();
            }
        }

        return sockets;
    }

    internal sealed class Sockets : IAsyncDisposable
    {
        private readonly List<ChatClient> _clients = [];

        public void Add(ChatClient client) => _clients.Add(client);

        /// <summary>Closes the first socket opened.</summary>
        public async Task CloseOneAsync()
        {
            var first = _clients[0];
            _clients.RemoveAt(0);
            await first.DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
