using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
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

/// <summary>Short, readable renderings of frames for failure reports.</summary>
internal static class Describe
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Opcode(byte opcode) => opcode switch
    {
        Support.Opcode.Continuation => "cont",
        Support.Opcode.Text => "text",
        Support.Opcode.Binary => "binary",
        Support.Opcode.Close => "close",
        Support.Opcode.Ping => "ping",
        Support.Opcode.Pong => "pong",
        _ => $"opcode-0x{opcode:X}",
    };

    public static string Payload(byte[] payload)
    {
        if (!Utf8.IsValid(payload))
        {
            return $"bytes {Convert.ToHexString(payload.AsSpan(0, Math.Min(payload.Length, 96)))}{(payload.Length > 96 ? "…" : "")} ({payload.Length} bytes, not UTF-8)";
        }

        var text = Encoding.UTF8.GetString(payload);
        return text.Length <= 200
            ? JsonSerializer.Serialize(text, Readable)
            : $"{JsonSerializer.Serialize(text[..200], Readable)}… ({payload.Length} bytes)";
    }

    public static string Frame(RawFrame frame)
    {
        var flags = (frame.Fin ? "" : " FIN=0") + (frame.Rsv != 0 ? $" RSV={frame.Rsv}" : "") + (frame.Masked ? "" : " unmasked")
            + (frame.DeclaredLength is { } declared ? $" declared-length={declared}" : "");
        return $"{Opcode(frame.Opcode)}{flags} {Payload(frame.Payload)}";
    }
}
