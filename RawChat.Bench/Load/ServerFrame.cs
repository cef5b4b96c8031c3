using System.Text.Json;

namespace RawChat.Bench.Load;

internal enum FrameKind
{
    Other,
    Message,
    Ack,
    Error,
}

/// <summary>
/// The few top-level fields of a server frame the tool needs, read with a <see cref="Utf8JsonReader"/>
/// straight from the receive buffer: no document, no strings. String fields are ranges of that
/// buffer; escaped values (never in what this tool posts) read as empty.
/// </summary>
internal struct ServerFrame
{
    public FrameKind Kind;
    public long Seq;
    public bool Duplicate;
    public Range Room;
    public Range Message;
    public Range ClientMsgId;
    public Range Code;

    /// <returns>false when the bytes are not a JSON object.</returns>
    public static bool TryRead(ReadOnlySpan<byte> utf8, out ServerFrame frame)
    {
        frame = default;
        var reader = new Utf8JsonReader(utf8, isFinalBlock: true, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                frame.Take(name, ref reader);
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void Take(ReadOnlySpan<byte> name, ref Utf8JsonReader reader)
    {
        if (name.SequenceEqual("type"u8))
        {
            Kind = reader.ValueTextEquals("message"u8) ? FrameKind.Message
                : reader.ValueTextEquals("ack"u8) ? FrameKind.Ack
                : reader.ValueTextEquals("error"u8) ? FrameKind.Error
                : FrameKind.Other;
        }
        else if (name.SequenceEqual("seq"u8) && reader.TokenType == JsonTokenType.Number)
        {
            reader.TryGetInt64(out Seq);
        }
        else if (name.SequenceEqual("duplicate"u8))
        {
            Duplicate = reader.TokenType == JsonTokenType.True;
        }
        else if (name.SequenceEqual("room"u8))
        {
            Room = Raw(ref reader);
        }
        else if (name.SequenceEqual("message"u8))
        {
            Message = Raw(ref reader);
        }
        else if (name.SequenceEqual("clientMsgId"u8))
        {
            ClientMsgId = Raw(ref reader);
        }
        else if (name.SequenceEqual("code"u8))
        {
            Code = Raw(ref reader);
        }
    }

    private static Range Raw(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return default;
        }

        var start = (int)reader.TokenStartIndex + 1; // past the opening quote
        return new Range(start, start + reader.ValueSpan.Length);
    }
}
