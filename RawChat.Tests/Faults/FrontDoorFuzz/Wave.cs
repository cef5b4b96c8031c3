namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>Sessions that run at once on one node: one FsCheck test case.</summary>
internal sealed record Wave(Session[] Sessions)
{
    public override string ToString() => string.Join("\n", Sessions.Select((s, i) => $"  [{i}] {s}"));

    /// <summary>
    /// Few, big shrink steps, since each candidate is a run against the live node: a single
    /// session, then halves of its steps, then the steps one by one, then whole messages.
    /// </summary>
    public static IEnumerable<Wave> Shrink(Wave wave)
    {
        if (wave.Sessions.Length > 1)
        {
            foreach (var session in wave.Sessions)
            {
                yield return new Wave([session]);
            }

            yield break;
        }

        var (steps, end) = (wave.Sessions[0].Steps, wave.Sessions[0].End);
        if (end is not null && steps.Length > 0)
        {
            yield return One([], end);
        }

        if (steps.Length > 1)
        {
            yield return One(steps[..(steps.Length / 2)], end);
            yield return One(steps[(steps.Length / 2)..], end);
        }

        if (end is not null)
        {
            yield return One(steps, null);
        }

        if (steps.Length is > 1 and <= 32)
        {
            for (var i = 0; i < steps.Length; i++)
            {
                yield return One([.. steps[..i], .. steps[(i + 1)..]], end);
            }
        }

        for (var i = 0; i < steps.Length && steps.Length <= 32; i++)
        {
            if (steps[i].Cuts.Length > 0 || steps[i].Between.Length > 0)
            {
                yield return One([.. steps[..i], steps[i].Whole(), .. steps[(i + 1)..]], end);
            }
        }
    }

    private static Wave One(Step[] steps, Ending? end) => new([new Session(steps, end)]);
}
