namespace RawChat.Core.Storage;

/// <summary>
/// Deadlines that hold when PostgreSQL hangs. Npgsql's own cancellation asks the server to cancel
/// and then waits for the server's answer, so a hung server holds the caller as long as it hangs
/// (measured: a query cancelled after 2 s returned only when a 12 s freeze ended). Past the
/// deadline the caller moves on at once; the work is abandoned, never continued: it ends whenever
/// PostgreSQL answers (or its connection breaks), and what it holds is released then.
/// </summary>
internal static class Deadline
{
    /// <param name="release">Called with the work's result if it succeeds after all, once abandoned.</param>
    /// <exception cref="DeadlineExceededException">The work did not end within <paramref name="timeout"/>: it is abandoned.</exception>
    public static async Task<T> RunAsync<T>(Task<T> work, TimeSpan timeout, Func<T, ValueTask>? release = null)
    {
        try
        {
            return await work.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!work.IsCompleted)
        {
            _ = ReleaseWhenDoneAsync(work, release);
            throw new DeadlineExceededException(timeout);
        }
    }

    private static async Task ReleaseWhenDoneAsync<T>(Task<T> work, Func<T, ValueTask>? release)
    {
        try
        {
            var result = await work.ConfigureAwait(false);
            if (release is not null)
            {
                await release(result).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Abandoned work that failed in the end: it released what it held; its caller has had its answer.
        }
    }
}

/// <summary>Work abandoned at its deadline; whatever it holds is released when it ends (see <see cref="Deadline"/>).</summary>
public sealed class DeadlineExceededException(TimeSpan timeout)
    : TimeoutException($"PostgreSQL did not answer within {timeout.TotalMilliseconds:0} ms");
