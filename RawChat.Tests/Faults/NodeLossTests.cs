using System.Text.Json;
using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// docs/protocol.md §3.4: a client that tracks the highest seq it has seen can reconnect to any node with
/// <c>since</c> and lose nothing — here after <c>kill -9</c> of the node it was on.
/// </summary>
public sealed class NodeLossTests
{
    private const int Total = 120;

    [Test]
    public async Task Clients_of_a_killed_node_reconnect_to_the_other_with_since_and_end_with_every_message_once()
    {
        var environment = await ApiProcess.DefaultEnvironmentAsync();
        Limits.LiftIn(environment, 1000);
        await using var doomed = ApiProcess.Start(environment);
        await using var survivor = ApiProcess.Start(environment);
        await Task.WhenAll(doomed.WaitUntilReadyAsync(), survivor.WaitUntilReadyAsync());
        var room = Rooms.Unique("nodeloss");

        // Two readers on the node that will die, one on the survivor; a poster on each node.
        var readers = new List<Reader>();
        foreach (var (api, user) in new[] { (doomed, "201"), (doomed, "202"), (survivor, "203") })
        {
            readers.Add(await Reader.ConnectAsync(api, survivor, room, user));
        }

        var posterOnDoomed = await ChatClient.ConnectAsync(Url(doomed, room, "204", since: null));
        await using var posterOnSurvivor = await ChatClient.ConnectAsync(Url(survivor, room, "205", since: null));

        // The survivor's poster posts the odd messages; the doomed node's poster the even ones,
        // and it dies half way: it retries what was not acked on the survivor, same clientMsgIds.
        for (var i = 1; i <= Total / 2; i++)
        {
            await posterOnSurvivor.PostAndAckAsync(room, $"odd {i}", $"odd-{i}");
            if (i == Total / 4)
            {
                doomed.Signal("KILL");
                await posterOnDoomed.WaitForCloseAsync();
                await posterOnDoomed.DisposeAsync();
                posterOnDoomed = await ChatClient.ConnectAsync(Url(survivor, room, "204", since: null));
            }

            await posterOnDoomed.PostAndAckAsync(room, $"even {i}", $"even-{i}");
        }

        foreach (var reader in readers)
        {
            var seqs = await reader.ReadAllAsync(Total);
            Assert.That(seqs, Is.EqualTo(Enumerable.Range(1, Total).Select(i => (long)i)),
                $"reader {reader.User}: every message once, in order, across the reconnect");
        }

        await using var db = new NpgsqlConnection(await SharedDatabase.GetAsync());
        var rows = (await db.QueryAsync<string>("SELECT client_msg_id FROM messages WHERE room = @room", new { room })).ToList();
        Assert.That(rows, Has.Count.EqualTo(Total));
        Assert.That(rows, Is.Unique);
        await posterOnDoomed.DisposeAsync();
        foreach (var reader in readers)
        {
            await reader.DisposeAsync();
        }
    }

    private static Uri Url(ApiProcess api, string room, string user, long? since) =>
        new(api.WsBase, $"/ws/chat/{room}?token={TestTokens.For(user, "u" + user)}" + (since is { } s ? $"&since={s}" : ""));

    /// <summary>A client that remembers the highest seq it saw and reconnects to the survivor with since.</summary>
    private sealed class Reader : IAsyncDisposable
    {
        private readonly ApiProcess _fallback;
        private readonly string _room;
        private readonly List<long> _seqs = [];
        private ChatClient _client;

        private Reader(ChatClient client, ApiProcess fallback, string room, string user)
        {
            _client = client;
            _fallback = fallback;
            _room = room;
            User = user;
        }

        public string User { get; }

        public static async Task<Reader> ConnectAsync(ApiProcess api, ApiProcess fallback, string room, string user) =>
            new(await ChatClient.ConnectAsync(Url(api, room, user, since: null)), fallback, room, user);

        public async Task<List<long>> ReadAllAsync(long last)
        {
            while (_seqs.Count == 0 || _seqs[^1] < last)
            {
                JsonElement frame;
                try
                {
                    frame = await _client.ReceiveAsync();
                }
                catch (InvalidOperationException)
                {
                    // The node died under us: reconnect elsewhere with the highest seq seen.
                    await _client.DisposeAsync();
                    _client = await ChatClient.ConnectAsync(Url(_fallback, _room, User, _seqs.Count > 0 ? _seqs[^1] : 0));
                    continue;
                }

                if (frame.GetProperty("type").GetString() == "message")
                {
                    _seqs.Add(frame.GetProperty("seq").GetInt64());
                }
            }

            return _seqs;
        }

        public ValueTask DisposeAsync() => _client.DisposeAsync();
    }
}
