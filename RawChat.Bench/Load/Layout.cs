using RawChat.Bench.Options;

namespace RawChat.Bench.Load;

/// <summary>
/// Who goes where: connection i sits in room i / S and on node i % U, so with two nodes every room
/// has half its members on each. Senders are spread over the rooms and, where the room allows,
/// sit on the first node (the two-node fan-out: all posts on one node).
/// </summary>
internal sealed class Layout(BenchOptions options, string runId)
{
    public int RoomOf(int connection) => connection / options.RoomSize;

    public string RoomName(int room) => $"bench-{runId}-{room}";

    public Uri UriFor(int connection, string token)
    {
        var node = options.Urls[connection % options.Urls.Count];
        return new Uri(node, $"/ws/chat/{RoomName(RoomOf(connection))}?token={token}");
    }

    public string UserId(int connection) => $"bench-{runId}-{connection}";

    /// <summary>The connection index of every sender, in sender order.</summary>
    public IReadOnlyList<int> Senders()
    {
        var rooms = options.Rooms;
        var nodes = options.Urls.Count;
        var taken = new HashSet<int>();
        var senders = new List<int>(options.SenderCount);
        for (var k = 0; k < options.SenderCount; k++)
        {
            var room = k % rooms;
            var first = room * options.RoomSize;
            var size = Math.Min(options.RoomSize, options.Connections - first);
            var slot = k / rooms * nodes;
            if (slot >= size || taken.Contains(first + slot))
            {
                slot = Enumerable.Range(0, size).FirstOrDefault(s => !taken.Contains(first + s), -1);
            }

            if (slot < 0)
            {
                // This room is full of senders already; take any connection that is not one yet.
                slot = Enumerable.Range(0, options.Connections).First(c => !taken.Contains(c)) - first;
            }

            taken.Add(first + slot);
            senders.Add(first + slot);
        }

        return senders;
    }
}
