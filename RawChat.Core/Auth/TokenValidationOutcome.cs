namespace RawChat.Core.Auth;

/// <summary>A validated user, or a short reason for the refusal that never quotes the token.</summary>
public sealed record TokenValidationOutcome(ChatUser? User, string? FailureDetail)
{
    /// <summary>
    /// The token may be fine but cannot be checked: the identity provider's JWKS has never been read.
    /// Answer 503 (retry later), not 401 (get a new token).
    /// </summary>
    public static readonly TokenValidationOutcome KeysUnavailable =
        new(null, "the identity provider's signing keys cannot be read; retry later") { Unavailable = true };

    public bool Unavailable { get; private init; }

    public static TokenValidationOutcome Valid(ChatUser user) => new(user, null);

    public static TokenValidationOutcome Invalid(string detail) => new(null, detail);
}
