namespace RawChat.Api.Logging;

/// <summary>
/// Sits between every caller and the real logger: a message, state value, scope or exception that
/// holds a credential reaches no provider as it is. Levels that are off cost one more call, no more.
/// </summary>
internal sealed class RedactingLogger(ILogger inner) : ILogger
{
    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull =>
        LogRedaction.Redact(state, null, static (s, _) => s.ToString() ?? "") is { } redacted
            ? inner.BeginScope(redacted)
            : inner.BeginScope(state);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        var cleanException = exception is null ? null : LogRedaction.Redact(exception);
        if (LogRedaction.Redact(state, exception, formatter) is { } redacted)
        {
            inner.Log(logLevel, eventId, redacted, cleanException, RedactedState.Format);
        }
        else
        {
            inner.Log(logLevel, eventId, state, cleanException, formatter);
        }
    }
}
