using System.Text.Json.Serialization;

namespace RawChat.Bench.Load;

/// <summary>The claims of a SimpleJWT access token, as RawChat reads them.</summary>
internal sealed record TokenClaims(
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("iat")] long IssuedAt,
    [property: JsonPropertyName("exp")] long Expires);

[JsonSerializable(typeof(TokenClaims))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;
