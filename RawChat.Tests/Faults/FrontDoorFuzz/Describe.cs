using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

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
