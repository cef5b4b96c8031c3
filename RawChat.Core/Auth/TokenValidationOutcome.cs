namespace RawChat.Core.Auth;

/// <summary>A validated user, or a short reason for the refusal that never quotes the token.</summary>
public sealed record TokenValidationOutcome(ChatUser? User, string? FailureDetail)
{
    public static TokenValidationOutcome Valid(ChatUser user) => new(user, null);

    public static TokenValidationOutcome Invalid(string detail) => new(null, detail);
}
