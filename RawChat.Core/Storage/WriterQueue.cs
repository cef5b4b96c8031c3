using System.Diagnostics;

namespace RawChat.Core.Storage;

/// <summary>
/// The posts waiting for one writer, oldest first. Whoever takes a post out owns it: the writer
/// (to store it) or the expiry sweep (to refuse it once it waited too long), never both.
/// </summary>
internal sealed class WriterQueue
{
    private readonly object _gate = new();
    private readonly Queue<PendingAppend> _posts = new();
    private TaskCompletionSource<bool>? _waiter;
    private bool _completed;

    /// <returns>false once the queue is shut (the node stops).</returns>
    public bool TryAdd(PendingAppend post)
    {
        TaskCompletionSource<bool>? wake;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            post.SubmittedAt = Stopwatch.GetTimestamp();
            _posts.Enqueue(post);
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult(true);
        return true;
    }

    /// <summary>
    /// Waits until there is work, then moves the posts submitted before <paramref name="maxAge"/>
    /// ago into <paramref name="expired"/> and up to <paramref name="max"/> others into <paramref name="batch"/>.
    /// </summary>
    /// <returns>false once the queue is shut and empty.</returns>
    public async Task<bool> TakeAsync(List<PendingAppend> batch, List<PendingAppend> expired, int max, TimeSpan maxAge)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                TakeExpiredLocked(expired, maxAge);
                while (batch.Count < max && _posts.TryDequeue(out var post))
                {
                    batch.Add(post);
                }

                if (batch.Count > 0 || expired.Count > 0)
                {
                    return true;
                }

                if (_completed)
                {
                    return false;
                }

                // Run the writer's wake-up on the thread pool, never inline on a submitter's thread.
                _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }

            await wait.ConfigureAwait(false);
        }
    }

    /// <summary>Moves the posts that waited longer than <paramref name="maxAge"/> into <paramref name="expired"/>.</summary>
    public void TakeExpired(List<PendingAppend> expired, TimeSpan maxAge)
    {
        lock (_gate)
        {
            TakeExpiredLocked(expired, maxAge);
        }
    }

    public void Complete()
    {
        TaskCompletionSource<bool>? wake;
        lock (_gate)
        {
            _completed = true;
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult(false);
    }

    private void TakeExpiredLocked(List<PendingAppend> expired, TimeSpan maxAge)
    {
        while (_posts.TryPeek(out var oldest) && Stopwatch.GetElapsedTime(oldest.SubmittedAt) > maxAge)
        {
            expired.Add(_posts.Dequeue());
        }
    }
}
