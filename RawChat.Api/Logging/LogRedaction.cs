using System.Collections;

namespace RawChat.Api.Logging;

/// <summary>Decides whether a log state, scope or exception holds a credential, and makes the redacted stand-in.</summary>
internal static class LogRedaction
{
    private const string OriginalFormat = "{OriginalFormat}";

    /// <returns>null when the state holds no credential (log it as it is), else its redacted stand-in.</returns>
    public static RedactedState? Redact<TState>(TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
        var sensitive = false;
        if (values is not null)
        {
            var templated = false;
            for (var i = 0; i < values.Count && !sensitive; i++)
            {
                var (key, value) = values[i];
                templated |= key == OriginalFormat;
                sensitive = MayHoldSecret(value);
            }

            if (!sensitive && templated)
            {
                return null; // the message is the template filled with these values: clean too
            }
        }

        var message = formatter(state, exception) ?? "";
        if (!sensitive && !SecretRedactor.MayHoldSecret(message))
        {
            return null;
        }

        var clean = values is null
            ? []
            : values.Select(v => new KeyValuePair<string, object?>(v.Key, RedactValue(v.Value))).ToArray();
        var cleanMessage = SecretRedactor.Redact(message);
        return ReferenceEquals(cleanMessage, message) && clean.Zip(values ?? []).All(p => ReferenceEquals(p.First.Value, p.Second.Value))
            ? null
            : new RedactedState(cleanMessage, clean);
    }

    /// <returns>The exception itself when its text holds no credential, else a <see cref="RedactedException"/>.</returns>
    public static Exception Redact(Exception exception)
    {
        var text = exception.ToString();
        var clean = SecretRedactor.Redact(text);
        return ReferenceEquals(clean, text) ? exception : new RedactedException(SecretRedactor.Redact(exception.Message), clean);
    }

    private static bool MayHoldSecret(object? value) => value switch
    {
        null or IConvertible and not string => false, // numbers, booleans, enums, dates
        string text => SecretRedactor.MayHoldSecret(text),
        IEnumerable items => items.Cast<object?>().Any(MayHoldSecret), // a template prints their items
        _ => SecretRedactor.MayHoldSecret(value.ToString()),
    };

    private static object? RedactValue(object? value) => value switch
    {
        _ when !MayHoldSecret(value) => value,
        string text => SecretRedactor.Redact(text),
        IEnumerable items => string.Join(", ", items.Cast<object?>().Select(i => SecretRedactor.Redact(i?.ToString() ?? "(null)"))),
        _ => SecretRedactor.Redact(value!.ToString() ?? ""),
    };
}
