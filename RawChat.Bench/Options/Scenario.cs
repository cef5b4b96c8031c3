namespace RawChat.Bench.Options;

/// <summary>What the load looks like (issue 7): the defaults of <see cref="BenchOptions.For"/> follow it.</summary>
public enum Scenario
{
    /// <summary>Chat rooms of ~100, a few posters: delivery-bound.</summary>
    Fanout,

    /// <summary>Many rooms of 2, everyone posting: storage-bound.</summary>
    Ingest,

    /// <summary>Connections held without traffic: memory per connection and connect latency.</summary>
    Idle,

    /// <summary>Everyone posts one message at the same moment, once per round.</summary>
    Burst,

    /// <summary>One private room of many members, added over HTTP, then paged through (issue 14).</summary>
    Members,
}
