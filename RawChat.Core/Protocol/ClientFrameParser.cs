using System.Text.Json;

namespace RawChat.Core.Protocol;

/// <summary>
/// Reads one client frame with <see cref="Utf8JsonReader"/> straight from the received bytes.
/// Strict by design: wrong types, duplicate keys, nulls and out-of-range values are
/// <c>invalid_frame</c>; nothing is clamped. Unknown properties are ignored.
/// </summary>
public static class ClientFrameParser
{
    public const int MaxClientMsgIdLength = 64;
    public const int MaxHistoryLimit = 200;

    /// <summary>A <c>hello</c> names at most this many features, each of 1 to <see cref="MaxFeatureLength"/> characters.</summary>
    public const int MaxFeatures = 16;

    public const int MaxFeatureLength = 32;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 32 };

    public static ClientFrameParseResult Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return ParseUnchecked(utf8);
        }
        catch (JsonException)
        {
            return ClientFrameParseResult.Fail(ErrorCodes.InvalidJson);
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader throws this for strings it cannot transcode (invalid escapes).
            return ClientFrameParseResult.Fail(ErrorCodes.InvalidJson);
        }
    }

    private static ClientFrameParseResult ParseUnchecked(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        if (!reader.Read())
        {
            return ClientFrameParseResult.Fail(ErrorCodes.InvalidJson);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            EnsureEnd(ref reader);
            return ClientFrameParseResult.Fail(ErrorCodes.InvalidFrame);
        }

        var fields = new Fields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            var escaped = reader.ValueIsEscaped;
            var key = escaped ? reader.GetString()! : null;
            reader.Read();
            fields.Read(key is null ? name : System.Text.Encoding.UTF8.GetBytes(key), ref reader);
        }

        EnsureEnd(ref reader);
        return fields.ToResult();
    }

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException("trailing data after the frame");
        }
    }

    private ref struct Fields
    {
        private string? _type;
        private string? _room;
        private string? _message;
        private string? _clientMsgId;
        private long? _since;
        private long? _before;
        private long? _limit;
        private bool? _subscribe;
        private List<string>? _features;
        private bool _featuresInvalid; // matters only to hello: other frames ignored the field before hello existed
        private bool _hasType;
        private bool _hasMessage;
        private bool _invalid;
        private int _seen;

        public void Read(ReadOnlySpan<byte> name, ref Utf8JsonReader reader)
        {
            if (name.SequenceEqual("type"u8)) { Mark(1); _hasType = true; _type = ReadString(ref reader); }
            else if (name.SequenceEqual("room"u8)) { Mark(2); _room = ReadString(ref reader); }
            else if (name.SequenceEqual("message"u8)) { Mark(4); _hasMessage = true; _message = ReadString(ref reader); }
            else if (name.SequenceEqual("clientMsgId"u8)) { Mark(8); _clientMsgId = ReadString(ref reader); }
            else if (name.SequenceEqual("since"u8)) { Mark(16); _since = ReadInteger(ref reader); }
            else if (name.SequenceEqual("before"u8)) { Mark(32); _before = ReadInteger(ref reader); }
            else if (name.SequenceEqual("limit"u8)) { Mark(64); _limit = ReadInteger(ref reader); }
            else if (name.SequenceEqual("subscribe"u8)) { Mark(128); _subscribe = ReadBoolean(ref reader); }
            else if (name.SequenceEqual("features"u8)) { _featuresInvalid |= _features is not null; _features = ReadFeatures(ref reader); }
            else { reader.Skip(); }
        }

        private void Mark(int bit)
        {
            if ((_seen & bit) != 0)
            {
                _invalid = true; // duplicate key: refuse rather than guess which one was meant
            }

            _seen |= bit;
        }

        private string? ReadString(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                try
                {
                    return reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    // An escaped unpaired surrogate (\ud800): valid JSON, but not text (docs/protocol.md §3.5).
                    _invalid = true;
                    return null;
                }
            }

            _invalid = true;
            reader.Skip();
            return null;
        }

        /// <summary>An array of short strings; anything else (or too many, or too long) makes the frame invalid.</summary>
        private List<string>? ReadFeatures(ref Utf8JsonReader reader)
        {
            var features = new List<string>();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                _featuresInvalid = true;
                reader.Skip();
                return features;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var feature = reader.TokenType == JsonTokenType.String ? TryGetString(ref reader) : null;
                if (feature is null)
                {
                    reader.Skip();
                }

                if (feature is null || feature.Length is 0 or > MaxFeatureLength || features.Count == MaxFeatures)
                {
                    _featuresInvalid = true;
                    continue;
                }

                features.Add(feature);
            }

            return features;
        }

        private static string? TryGetString(ref Utf8JsonReader reader)
        {
            try
            {
                return reader.GetString();
            }
            catch (InvalidOperationException)
            {
                return null; // an escaped unpaired surrogate
            }
        }

        private bool? ReadBoolean(ref Utf8JsonReader reader)
        {
            if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
            {
                return reader.GetBoolean();
            }

            _invalid = true;
            reader.Skip();
            return null;
        }

        private long? ReadInteger(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
            {
                return value;
            }

            _invalid = true;
            reader.Skip();
            return null;
        }

        public readonly ClientFrameParseResult ToResult()
        {
            var clientMsgId = _clientMsgId;
            var idLength = clientMsgId is null ? 0 : MessageText.CodePointLength(clientMsgId);
            var idValid = clientMsgId is null || (idLength is >= 1 and <= MaxClientMsgIdLength && MessageText.IsStorable(clientMsgId));
            var echo = idValid ? clientMsgId : null;

            if (_invalid || !idValid
                || _since < 0 || _before < 1 || _limit is < 1 or > MaxHistoryLimit)
            {
                return ClientFrameParseResult.Fail(ErrorCodes.InvalidFrame, echo);
            }

            ClientFrameType type;
            if (!_hasType)
            {
                if (!_hasMessage)
                {
                    return ClientFrameParseResult.Fail(ErrorCodes.InvalidFrame, echo);
                }

                type = ClientFrameType.Send; // the tutorial form {"message": "..."}
            }
            else
            {
                switch (_type)
                {
                    case "send": type = ClientFrameType.Send; break;
                    case "join": type = ClientFrameType.Join; break;
                    case "leave": type = ClientFrameType.Leave; break;
                    case "history": type = ClientFrameType.History; break;
                    case "ping": type = ClientFrameType.Ping; break;
                    case "presence": type = ClientFrameType.Presence; break;
                    case "typing": type = ClientFrameType.Typing; break;
                    case "hello": type = ClientFrameType.Hello; break;
                    default: return ClientFrameParseResult.Fail(ErrorCodes.UnknownType, echo);
                }
            }

            var missingRequired = type switch
            {
                ClientFrameType.Send => _message is null,
                ClientFrameType.Join or ClientFrameType.Leave => _room is null,
                ClientFrameType.Hello => _features is null || _featuresInvalid,
                _ => false,
            };
            if (missingRequired)
            {
                return ClientFrameParseResult.Fail(ErrorCodes.InvalidFrame, echo);
            }

            return ClientFrameParseResult.Ok(new ClientFrame(
                type, _room, _message, clientMsgId, _since, _before, (int?)_limit, _subscribe, _features));
        }
    }
}
