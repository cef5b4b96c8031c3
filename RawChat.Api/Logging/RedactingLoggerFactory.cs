using System.Collections.Concurrent;

namespace RawChat.Api.Logging;

/// <summary>
/// The node's <see cref="ILoggerFactory"/>: the framework's own, with every logger it makes wrapped in a
/// <see cref="RedactingLogger"/>. Redaction happens once per log call, before the factory hands the
/// call to its providers, so it covers every provider (added in code, by the tests, or later with
/// <see cref="AddProvider"/>) and holds whatever levels the configuration turns on; the providers
/// keep their own filter rules (<c>Logging:Console:LogLevel</c>).
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName, static (name, factory) => new RedactingLogger(factory.CreateLogger(name)), inner);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}
