namespace RawChat.Bench.Metrics;

/// <summary>
/// The seqs one receiver has seen in its room: a growable bitmap (rooms are new for every run,
/// so seqs start at 1 and stay dense). Used by one receive loop, read after it ended.
/// </summary>
internal sealed class SeqSet
{
    private ulong[] _bits = new ulong[4];

    /// <returns>false when <paramref name="seq"/> was already in the set.</returns>
    public bool Add(long seq)
    {
        var word = (int)(seq >> 6);
        if (word >= _bits.Length)
        {
            Array.Resize(ref _bits, Math.Max(word + 1, _bits.Length * 2));
        }

        var mask = 1UL << (int)(seq & 63);
        if ((_bits[word] & mask) != 0)
        {
            return false;
        }

        _bits[word] |= mask;
        return true;
    }

    public bool Contains(long seq)
    {
        var word = seq >> 6;
        return word < _bits.Length && (_bits[word] & (1UL << (int)(seq & 63))) != 0;
    }
}
