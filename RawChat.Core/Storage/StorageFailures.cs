using System.Text;
using Npgsql;

namespace RawChat.Core.Storage;

/// <summary>Tells a post's own bad data from storage being unavailable.</summary>
public static class StorageFailures
{
    /// <summary>
    /// PostgreSQL (or Npgsql, before sending) refused the data of a row: a text it cannot hold
    /// (U+0000, an unpaired surrogate), a value out of range, a constraint. The batch's other posts
    /// may be fine on their own. Classes 22 (data exception), 23 (integrity), 54 (program limit).
    /// </summary>
    public static bool IsDataError(Exception e) =>
        e is EncoderFallbackException
        || (e is PostgresException { SqlState: var state } && (state.StartsWith("22", StringComparison.Ordinal)
            || state.StartsWith("23", StringComparison.Ordinal) || state.StartsWith("54", StringComparison.Ordinal)));

    /// <summary>A read failed because PostgreSQL is down, hung or too slow (past the command timeout).</summary>
    public static bool IsReadFailure(Exception e) =>
        e is NpgsqlException or TimeoutException;

    /// <summary>PostgreSQL is down, unreachable, hung or too slow: nothing about the data itself.</summary>
    public static bool IsUnavailable(Exception e) =>
        e is NpgsqlException or TimeoutException or IOException or OperationCanceledException or ObjectDisposedException;
}
