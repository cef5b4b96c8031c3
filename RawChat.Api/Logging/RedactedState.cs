using System.Collections;

namespace RawChat.Api.Logging;

/// <summary>What a provider gets instead of a log state that held a credential: the redacted message and values.</summary>
internal sealed class RedactedState(string message, KeyValuePair<string, object?>[] values) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public static readonly Func<RedactedState, Exception?, string> Format = static (state, _) => state.ToString();

    public int Count => values.Length;

    public KeyValuePair<string, object?> this[int index] => values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => message;
}
