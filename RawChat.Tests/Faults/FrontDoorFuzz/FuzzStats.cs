using System.Collections.Concurrent;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>What a fuzz run sent and got, for the report the test prints.</summary>
internal sealed class FuzzStats
{
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private long _frames;

    public long Frames => Interlocked.Read(ref _frames);

    public void AddFrames(int count) => Interlocked.Add(ref _frames, count);

    public void Count(string what, int by = 1) => _counts.AddOrUpdate(what, by, (_, n) => n + by);

    public override string ToString() =>
        string.Join("\n", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"  {c.Value,8}  {c.Key}"));
}
