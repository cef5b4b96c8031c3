using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using RawChat.Core.Protocol;

namespace RawChat.Api.Http;

/// <summary>
/// The body of <c>POST /api/rooms/{room}/messages</c>: <c>{"message": "…", "user": "display name"}</c>,
/// read as strictly as a socket frame. <c>message</c> is required, <c>user</c> optional; a field of the
/// wrong type, a null or a repeated key is <c>invalid_frame</c>; unknown fields are ignored.
/// </summary>
[Description("The body of a publish. Unknown fields are ignored.")]
internal sealed record PublishRequest(
    [property: Required, Description("1 to Chat:MaxMessageLength code points (default 4,000), not only white space.")] string Message,
    [property: Description("The display name for this message, 1–128 code points; default: the token's name.")] string? User = null)
{
    public const int MaxUserLength = 128;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 32 };

    /// <returns>The request, or the error code that refuses it.</returns>
    public static (PublishRequest? Request, string? ErrorCode) Parse(ReadOnlySpan<byte> utf8, int maxMessageLength)
    {
        string? message, user;
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read())
            {
                return (null, ErrorCodes.InvalidJson);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                return (null, reader.Read() ? ErrorCodes.InvalidJson : ErrorCodes.InvalidFrame);
            }

            if (!TryReadFields(ref reader, out message, out user))
            {
                return (null, ErrorCodes.InvalidFrame);
            }

            if (reader.Read())
            {
                return (null, ErrorCodes.InvalidJson); // trailing data after the object
            }
        }
        catch (JsonException)
        {
            return (null, ErrorCodes.InvalidJson);
        }
        catch (InvalidOperationException)
        {
            return (null, ErrorCodes.InvalidJson); // a string the reader cannot transcode (invalid escapes)
        }

        if (message is null)
        {
            return (null, ErrorCodes.InvalidFrame);
        }

        if (user is not null && !IsDisplayName(user))
        {
            return (null, ErrorCodes.InvalidFrame);
        }

        var refusal = MessageText.Validate(message, maxMessageLength);
        return refusal is null ? (new PublishRequest(message, user), null) : (null, refusal);
    }

    private static bool TryReadFields(ref Utf8JsonReader reader, out string? message, out string? user)
    {
        message = null;
        user = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!seen.Add(name))
            {
                return false;
            }

            if (name is "message" or "user")
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                if (!TryGetText(ref reader, out var text))
                {
                    return false; // an escaped unpaired surrogate: valid JSON, but not text
                }

                if (name == "message")
                {
                    message = text;
                }
                else
                {
                    user = text;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return true;
    }

    private static bool TryGetText(ref Utf8JsonReader reader, out string? text)
    {
        try
        {
            text = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    /// <summary>1–128 code points, not only white space, no U+0000 and no lone surrogate.</summary>
    private static bool IsDisplayName(string user) =>
        MessageText.Validate(user, MaxUserLength) is null;
}
