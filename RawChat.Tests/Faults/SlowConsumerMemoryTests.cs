using System.Net.WebSockets;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// A client that never reads costs the node at most its bounded outbox: the node's memory does
/// not grow with what the room posts meanwhile.
/// </summary>
public sealed class SlowConsumerMemoryTests
{
    private const int WarmUpPosts = 3_000;
    private const int Posts = 12_000;
    private const int TextLength = 4_000;

    [Test]
    public async Task A_stalled_client_does_not_make_the_nodes_memory_grow_with_the_rooms_traffic()
    {
        var environment = await ApiProcess.DefaultEnvironmentAsync();
        Limits.LiftIn(environment, 100_000);
        environment["Chat__MaxQueuedBytes"] = "262144";
        await using var api = ApiProcess.Start(environment);
        await api.WaitUntilReadyAsync();
        var room = Rooms.Unique("memory");
        Uri Url(string user) => new(api.WsBase, $"/ws/chat/{room}?token={TestTokens.For(user, "u" + user)}");

        await using var poster = await ChatClient.ConnectAsync(Url("801"));
        await using var reader = await ChatClient.ConnectAsync(Url("802"));
        // Warm up (JIT, pools, buffers, the GC's budgets) with the same traffic before the baseline.
        await poster.PostWindowedAsync(room, WarmUpPosts, _ => new string('w', TextLength));

        await reader.ReceiveUntilAsync(f => f.IsMessage(room, WarmUpPosts));
        var baseline = ProcessMemory.RssMiB(api.Id);

        using var stalled = new ClientWebSocket();
        await stalled.ConnectAsync(Url("803"), CancellationToken.None);
        var readerDone = Task.Run(() => reader.ReceiveUntilAsync(f => f.IsMessage(room, WarmUpPosts + Posts)));
        var text = new string('x', TextLength);
        await poster.PostWindowedAsync(room, Posts, _ => text);

        await readerDone.WaitAsync(TimeSpan.FromSeconds(180));
        var growth = ProcessMemory.RssMiB(api.Id) - baseline;
        TestContext.Out.WriteLine($"RSS grew {growth:F1} MiB while {Posts * TextLength / 1024 / 1024} MiB of messages passed a stalled client");
        Assert.That(growth, Is.LessThan(Posts * TextLength / 1024.0 / 1024.0 / 2),
            "the node holds at most the stalled client's bounded outbox, not the room's traffic");
    }
}
