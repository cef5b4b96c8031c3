namespace RawChat.Api.Logging;

/// <summary>
/// Stands in for a logged exception whose text held a credential: its message and its whole
/// <see cref="ToString"/> (type, message, inner exceptions, stack) are the original's, redacted.
/// </summary>
internal sealed class RedactedException(string message, string text) : Exception(message)
{
    public override string? StackTrace => null;

    public override string ToString() => text;
}
