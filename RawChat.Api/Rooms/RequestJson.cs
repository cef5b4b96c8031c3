using System.Globalization;
using System.Text.Json;
using RawChat.Api.Http;
using RawChat.Core.Protocol;

namespace RawChat.Api.Rooms;

/// <summary>
/// A JSON object body of the rooms API (docs/protocol.md §14.3), read strictly: a field of the wrong type, NUL or an
/// unpaired surrogate, or over its length is 400 <c>invalid_parameter</c>, naming the field. Unknown fields are ignored.
/// </summary>
internal sealed class RequestJson
{
    public const int MaxUserIdLength = 256;

    private readonly JsonElement _root;

    private RequestJson(JsonElement root) => _root = root;

    /// <summary>Reads the body: 413 past <paramref name="maxBytes"/>, 400 <c>invalid_json</c> unless one JSON object.</summary>
    public static async Task<(RequestJson? Body, Refusal? Refusal)> ReadAsync(HttpRequest request, int maxBytes)
    {
        var bytes = await RequestBody.ReadAsync(request, maxBytes, request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (bytes is null)
        {
            return (null, new Refusal(StatusCodes.Status413PayloadTooLarge, ErrorCodes.MessageTooBig, $"the body is larger than {maxBytes} bytes"));
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (new RequestJson(document.RootElement.Clone()), null)
                : (null, Invalid("the body must be a JSON object"));
        }
        catch (JsonException)
        {
            return (null, new Refusal(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "the body is not valid JSON"));
        }
    }

    public bool Has(string name) => _root.TryGetProperty(name, out _);

    /// <summary>A text field of 1–<paramref name="maxLength"/> storable characters; null when absent (or JSON null and <paramref name="nullable"/>).</summary>
    public (string? Value, Refusal? Refusal) Text(string name, int maxLength, bool required = false, bool nullable = false)
    {
        if (!_root.TryGetProperty(name, out var value) || (nullable && value.ValueKind == JsonValueKind.Null))
        {
            return required ? (null, Invalid($"\"{name}\" is required")) : (null, null);
        }

        string? text = null;
        try
        {
            text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (InvalidOperationException)
        {
            // an escaped unpaired surrogate
        }

        return text is null || !MessageText.IsStorable(text) || MessageText.CodePointLength(text) is < 1 || MessageText.CodePointLength(text) > maxLength
            ? (null, Invalid($"\"{name}\" must be text of 1-{maxLength} characters"))
            : (text, null);
    }

    /// <summary>An integer field within [<paramref name="min"/>, <paramref name="max"/>]; null when absent.</summary>
    public (int? Value, Refusal? Refusal) Integer(string name, int min, int max)
    {
        if (!_root.TryGetProperty(name, out var value))
        {
            return (null, null);
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max
            ? (number, null)
            : (null, Invalid($"\"{name}\" must be an integer from {min} to {max}"));
    }

    /// <summary>An ISO 8601 time with its offset, in the future; null when absent or JSON null.</summary>
    public (DateTime? Value, Refusal? Refusal) FutureTime(string name, DateTime now)
    {
        var (text, refusal) = Text(name, 64, nullable: true);
        if (text is null)
        {
            return (null, refusal);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) && time.UtcDateTime > now
            ? (time.UtcDateTime, null)
            : (null, Invalid($"\"{name}\" must be an ISO 8601 time in the future"));
    }

    public static Refusal Invalid(string detail) => new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidParameter, detail);
}
