using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>docs/protocol.md §3.3: <c>since</c> replays what was missed, then live messages, none lost or repeated.</summary>
public sealed class ReplayTests
{
    private ChatNode _node = null!;

    [OneTimeSetUp]
    public async Task StartNodeAsync() => _node = await ChatNode.StartAsync(Limits.Lifted(1000, new()
    {
        ["Chat:ReplayCap"] = "1000",
    }));

    [OneTimeTearDown]
    public async Task StopNodeAsync() => await _node.DisposeAsync();

    [Test]
    public async Task Connecting_with_since_while_another_client_keeps_posting_loses_and_repeats_nothing()
    {
        const int total = 300;
        var room = Rooms.Unique("replay");
        await using var poster = await _node.ConnectAsync(TestTokens.For("10", "poster"), path: $"/ws/chat/{room}");
        var firstAcks = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posting = Task.Run(async () =>
        {
            for (var i = 1; i <= total; i++)
            {
                await poster.PostAndAckAsync(room, $"m{i}", $"c{i}");
                if (i == 60)
                {
                    firstAcks.SetResult();
                }
            }
        });

        await firstAcks.Task.WaitAsync(ChatClient.DefaultTimeout);
        // One reader reconnects with since at connect, another joins with since on a live socket.
        await using var atConnect = await _node.ConnectAsync(TestTokens.For("11", "reader"), $"&since=20", $"/ws/chat/{room}");
        await using var onJoin = await _node.ConnectAsync(TestTokens.For("12", "joiner"));
        await onJoin.SendAsync(new { type = "join", room, since = 40 });

        await posting.WaitAsync(TimeSpan.FromSeconds(120));
        var connectFrames = await atConnect.ReceiveUntilAsync(f => f.IsMessage(room, total));
        var joinFrames = await onJoin.ReceiveUntilAsync(f => f.IsMessage(room, total));

        Assert.That(connectFrames.SeqsOf(room), Is.EqualTo(Enumerable.Range(21, total - 20).Select(i => (long)i)));
        Assert.That(joinFrames[0].GetProperty("type").GetString(), Is.EqualTo("joined"));
        Assert.That(joinFrames.SeqsOf(room), Is.EqualTo(Enumerable.Range(41, total - 40).Select(i => (long)i)));
        await atConnect.ExpectNothingPendingAsync();
        await onJoin.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Since_past_the_rooms_end_replays_nothing_and_live_messages_still_arrive()
    {
        var room = Rooms.Unique("future");
        await using var poster = await _node.ConnectAsync(TestTokens.For("13", "poster"), path: $"/ws/chat/{room}");
        await poster.PostAndAckAsync(room, "one", "a1");
        await using var reader = await _node.ConnectAsync(TestTokens.For("14", "reader"), "&since=500", $"/ws/chat/{room}");
        await reader.ExpectNothingPendingAsync();

        await poster.PostAndAckAsync(room, "two", "a2");
        var frame = await reader.ReceiveAsync();
        Assert.That(frame.IsMessage(room, 2), Is.True, frame.ToString());
    }

    [Test]
    public async Task A_replay_past_the_cap_says_replay_truncated_then_sends_the_newest_messages()
    {
        await using var capped = await ChatNode.StartAsync(Limits.Lifted(1000, new()
        {
            ["Chat:ReplayCap"] = "5",
        }));
        var room = Rooms.Unique("capped");
        await using var poster = await capped.ConnectAsync(TestTokens.For("15", "poster"), path: $"/ws/chat/{room}");
        for (var i = 1; i <= 12; i++)
        {
            await poster.PostAndAckAsync(room, $"m{i}", $"c{i}");
        }

        await using var reader = await capped.ConnectAsync(TestTokens.For("16", "reader"), "&since=2", $"/ws/chat/{room}");
        var truncated = await reader.ReceiveTypeAsync("error");
        Assert.That(truncated.GetProperty("code").GetString(), Is.EqualTo("replay_truncated"));
        Assert.That(truncated.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(truncated.GetProperty("fromSeq").GetInt64(), Is.EqualTo(8));
        var replayed = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            replayed.Add((await reader.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64());
        }

        Assert.That(replayed, Is.EqualTo(new long[] { 8, 9, 10, 11, 12 }));
        await reader.ExpectNothingPendingAsync();
    }
}
