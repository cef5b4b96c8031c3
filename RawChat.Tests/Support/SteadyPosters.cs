using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace RawChat.Tests.Support;

/// <summary>
/// Clients that post at a steady rate, each post with a clientMsgId, and record what every post
/// got back and when: its ack, or an error, measured from the moment it was sent. They read all
/// the while, as a well-behaved client does, and notice if the server closes them.
/// </summary>
public sealed class SteadyPosters : IAsyncDisposable
{
    private readonly List<ChatClient> _clients;
    private readonly string _room;
    private readonly TimeSpan _interval;
    private readonly ConcurrentDictionary<string, Post> _posts = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private SteadyPosters(List<ChatClient> clients, string room, double postsPerSecond)
    {
        _clients = clients;
        _room = room;
        _interval = TimeSpan.FromSeconds(1 / postsPerSecond);
    }

    /// <summary>Every post sent so far, by clientMsgId.</summary>
    public IReadOnlyDictionary<string, Post> Posts => _posts;

    /// <summary>Time since the posters were made: the clock every <see cref="Post"/> is measured on.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Closes that came from the server while posting (none is expected).</summary>
    public IEnumerable<(int Client, string? Reason)> Closes =>
        _clients.Select((c, i) => (c, i)).Where(x => x.c.Closed.IsCompleted).Select(x => (x.i, x.c.Closed.Result.Reason));

    public static SteadyPosters Start(IReadOnlyList<ChatClient> clients, string room, double postsPerSecond)
    {
        var posters = new SteadyPosters([.. clients], room, postsPerSecond);
        for (var i = 0; i < clients.Count; i++)
        {
            var (client, index) = (clients[i], i);
            posters._loops.Add(Task.Run(() => posters.SendLoopAsync(client, index)));
            posters._loops.Add(Task.Run(() => posters.ReadLoopAsync(client)));
        }

        return posters;
    }

    /// <summary>Stops sending, then waits until every post sent has an answer (or the timeout passes).</summary>
    public async Task<bool> StopAndWaitForAnswersAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync();
        return await Eventually.HoldsAsync(() => Task.FromResult(_posts.Values.All(p => p.Answer is not null)), timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Task.WhenAll(_loops);
        _stop.Dispose();
    }

    private async Task SendLoopAsync(ChatClient client, int index)
    {
        using var timer = new PeriodicTimer(_interval);
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var id = $"p{index}-{n++}";
                _posts[id] = new Post(id, _clock.Elapsed);
                await client.SendAsync(new { type = "send", room = _room, message = $"steady {id}", clientMsgId = id });
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private async Task ReadLoopAsync(ChatClient client)
    {
        while (true)
        {
            JsonElement frame;
            try
            {
                frame = await client.ReceiveAsync(TimeSpan.FromMinutes(5));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                return; // closed (or disposed)
            }

            var type = frame.GetProperty("type").GetString();
            if (type is "ack" or "error" && frame.TryGetProperty("clientMsgId", out var id)
                && _posts.TryGetValue(id.GetString()!, out var post))
            {
                post.Answer = type == "ack" ? "ack" : frame.GetProperty("code").GetString();
                post.AnsweredAt = _clock.Elapsed;
            }
        }
    }

    public sealed class Post(string clientMsgId, TimeSpan sentAt)
    {
        public string ClientMsgId { get; } = clientMsgId;

        public TimeSpan SentAt { get; } = sentAt;

        /// <summary><c>ack</c>, an error code, or null while unanswered.</summary>
        public string? Answer { get; set; }

        public TimeSpan AnsweredAt { get; set; }

        public TimeSpan Latency => AnsweredAt - SentAt;
    }
}
