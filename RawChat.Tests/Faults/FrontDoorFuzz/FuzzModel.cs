using System.Text;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>
/// What a tagged message must earn: one answer carrying its tag as <c>clientMsgId</c> — an
/// <c>ack</c> when <see cref="Codes"/> is empty, else an <c>error</c> with one of those codes.
/// </summary>
internal sealed record Expected(string Tag, string[] Codes)
{
    public bool IsAck => Codes.Length == 0;

    public override string ToString() => IsAck ? $"ack {Tag}" : $"error {string.Join('|', Codes)} {Tag}";
}

/// <summary>A control frame sent right after fragment <paramref name="After"/> of a message.</summary>
internal sealed record Interleaved(int After, RawFrame Frame);

/// <summary>
/// One thing a session sends: a data message (whole, or cut into fragments at
/// <see cref="Cuts"/> with control frames between them) or a lone control frame.
/// </summary>
internal sealed record Step(string Kind, byte Opcode, byte[] Payload, int[] Cuts, Interleaved[] Between, Expected? Expect = null)
{
    public static Step Control(string kind, byte opcode, byte[] payload) => new(kind, opcode, payload, [], []);

    public IEnumerable<RawFrame> Frames()
    {
        if (Support.Opcode.IsControl(Opcode))
        {
            yield return new RawFrame(Opcode, Payload);
            yield break;
        }

        int[] bounds = [0, .. Cuts, Payload.Length];
        var last = bounds.Length - 2;
        for (var i = 0; i <= last; i++)
        {
            yield return new RawFrame(i == 0 ? Opcode : Support.Opcode.Continuation, Payload[bounds[i]..bounds[i + 1]], Fin: i == last);
            foreach (var between in Between.Where(b => b.After == i && i != last))
            {
                yield return between.Frame;
            }
        }
    }

    /// <summary>The same message in one frame, with nothing between.</summary>
    public Step Whole() => this with { Cuts = [], Between = [] };

    public override string ToString()
    {
        var text = $"{Kind}: {Describe.Opcode(Opcode)} {Describe.Payload(Payload)}";
        if (Cuts.Length > 0)
        {
            text += $" cut at [{string.Join(",", Cuts)}]";
        }

        foreach (var between in Between)
        {
            text += $" +{Describe.Opcode(between.Frame.Opcode)}({between.Frame.Payload.Length} bytes) after fragment {between.After}";
        }

        return Expect is null ? text : $"{text} => {Expect}";
    }
}

/// <summary>
/// A session's last frames, after which the server must close with <see cref="Code"/> and
/// <see cref="Reason"/> (null: any reason, for the runtime's own 1002).
/// </summary>
internal sealed record Ending(string Kind, RawFrame[] Frames, int Code, string? Reason)
{
    public override string ToString() =>
        $"ending {Kind}: {string.Join(" ", Frames.Select(f => $"[{Describe.Frame(f)}]"))} => close {Code} {Reason ?? "(any reason)"}";
}

/// <summary>One connection's worth of frames; without an <see cref="End"/> it ends with a polite close.</summary>
internal sealed record Session(Step[] Steps, Ending? End)
{
    public int FrameCount => Steps.Sum(s => s.Frames().Count()) + (End?.Frames.Length ?? 0);

    public override string ToString()
    {
        var builder = new StringBuilder($"session of {Steps.Length} steps, {FrameCount} frames");
        if (Steps.Length > 40)
        {
            builder.Append(": ").AppendJoin(", ", Steps.GroupBy(s => s.Kind).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));
        }
        else
        {
            foreach (var step in Steps)
            {
                builder.Append("\n    ").Append(step);
            }
        }

        return builder.Append("\n    ").Append(End?.ToString() ?? "ending polite: marker, then close 1000").ToString();
    }
}
