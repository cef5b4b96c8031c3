using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;
using RawChat.Core.Observability;
using RawChat.Tests.Support;

namespace RawChat.Tests.Observability;

/// <summary>
/// What a tracing setup listening to the <c>RawChat</c> source sees of one post: its receive, the
/// commit linked to it, its publish and this node's delivery as its children, and the other node's
/// delivery as a trace of its own carrying the same room and seq.
/// </summary>
public sealed class PostTraceTests
{
    [Test]
    public async Task A_post_is_traced_from_receive_through_commit_and_publish_to_delivery_on_both_nodes()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ChatActivities.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await using var posting = await ChatNode.StartAsync();
        await using var other = await ChatNode.StartAsync();
        var room = Rooms.Unique("traced");
        var token = TestTokens.For("701", "alice");
        await using var alice = await posting.ConnectAsync(token, path: $"/ws/chat/{room}");
        await using var carol = await other.ConnectAsync(TestTokens.For("702", "carol"), path: $"/ws/chat/{room}");
        const string text = "a text no span may carry";
        var ack = await alice.PostAndAckAsync(room, text, "t-1");
        var seq = ack.GetProperty("seq").GetInt64();
        await carol.ReceiveUntilAsync(f => f.IsMessage(room, seq));

        List<Activity> OfRoom(string name) =>
            [.. stopped.Where(a => a.OperationName == name && (a.GetTagItem("rawchat.room") as string == room
                || a.Links.Any(l => stopped.Any(r => r.SpanId == l.Context.SpanId && r.GetTagItem("rawchat.room") as string == room))))];

        // The publish ends when Redis answers and the other node's delivery when its envelope arrives: a moment after the ack.
        Assert.That(await Eventually.HoldsAsync(() => Task.FromResult(
            OfRoom(ChatActivities.Publish).Count == 1 && OfRoom(ChatActivities.Deliver).Count == 2)), Is.True,
            "one publish and a delivery on each node");

        var receive = OfRoom(ChatActivities.Receive).Single();
        var commit = OfRoom(ChatActivities.Commit).Single();
        var publish = OfRoom(ChatActivities.Publish).Single();
        var delivers = OfRoom(ChatActivities.Deliver);
        var local = delivers.Single(d => d.TraceId == receive.TraceId);
        var remote = delivers.Single(d => d.TraceId != receive.TraceId);
        Assert.Multiple(() =>
        {
            Assert.That(receive.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "a socket's post starts its own trace");
            Assert.That(receive.GetTagItem("rawchat.seq"), Is.EqualTo(seq));
            Assert.That(commit.Links.Select(l => l.Context.SpanId), Does.Contain(receive.SpanId), "the batch links its posts");
            Assert.That(publish.ParentSpanId, Is.EqualTo(receive.SpanId));
            Assert.That(local.ParentSpanId, Is.EqualTo(receive.SpanId));
            Assert.That(remote.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "the envelope carries no trace context");
            Assert.That(remote.GetTagItem("rawchat.seq"), Is.EqualTo(seq), "room and seq tie it to the post");
            Assert.That(local.GetTagItem("rawchat.connections"), Is.EqualTo(1));
            Assert.That(new[] { receive, commit, publish, local, remote }.SelectMany(a => a.TagObjects)
                .Select(t => t.Value?.ToString() ?? ""), Has.None.Contains(text).And.None.Contains(token), "no text or token in tags");
        });
    }
}
