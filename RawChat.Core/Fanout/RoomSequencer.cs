namespace RawChat.Core.Fanout;

/// <summary>
/// Puts one room's messages in seq order on this node: seqs already delivered are dropped,
/// the next one goes out, later ones wait until the gap is filled (from Redis or PostgreSQL).
/// Not thread-safe: its <see cref="RoomHub"/> serialises calls.
/// </summary>
public sealed class RoomSequencer
{
    private readonly SortedDictionary<long, ReadOnlyMemory<byte>> _waiting = [];
    private bool _started;

    /// <summary>The highest seq handed out (or the baseline it started from).</summary>
    public long Delivered { get; private set; }

    public bool HasGap => _started && _waiting.Count > 0;

    public bool Started => _started;

    /// <summary>Starts delivery after <paramref name="baseline"/>; frames offered before it wait until now.</summary>
    public void Start(long baseline, Action<long, ReadOnlyMemory<byte>> deliver)
    {
        _started = true;
        Delivered = Math.Max(Delivered, baseline);
        Drain(deliver);
    }

    public void Offer(long seq, ReadOnlyMemory<byte> frame, Action<long, ReadOnlyMemory<byte>> deliver)
    {
        if (_started && seq <= Delivered)
        {
            return;
        }

        _waiting.TryAdd(seq, frame);
        if (_started)
        {
            Drain(deliver);
        }
    }

    private void Drain(Action<long, ReadOnlyMemory<byte>> deliver)
    {
        while (_waiting.Count > 0)
        {
            var (seq, frame) = _waiting.First();
            if (seq <= Delivered)
            {
                _waiting.Remove(seq);
                continue;
            }

            if (seq != Delivered + 1)
            {
                return;
            }

            _waiting.Remove(seq);
            Delivered = seq;
            deliver(seq, frame);
        }
    }
}
