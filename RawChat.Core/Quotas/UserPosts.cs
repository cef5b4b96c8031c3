namespace RawChat.Core.Quotas;

/// <summary>
/// One user's posts on this node in the current window, shared by all the user's connections
/// here: what this node accepted, how much of that Redis has counted, and the cluster's total as
/// Redis last told it. A post is accepted while that total plus this node's posts Redis has not
/// counted yet stays under the budget. Thread-safe; every member takes the lock.
/// </summary>
public sealed class UserPosts
{
    private readonly object _gate = new();
    private long _window = -1;
    private int _mine;      // accepted here in _window
    private int _confirmed; // of those, counted by Redis (so included in _cluster)
    private long _cluster;  // the window's total across nodes, at the last flush
    private bool _queued;   // waiting for the next flush
    private int _connections;
    private bool _retired;

    internal UserPosts(string userId, int bucket)
    {
        UserId = userId;
        Bucket = bucket;
    }

    internal string UserId { get; }

    /// <summary>Which of a window's Redis hashes holds this user (the same on every node).</summary>
    internal int Bucket { get; }

    /// <summary>Takes a place in <paramref name="window"/> for one post.</summary>
    /// <param name="queue">true when the user has to be queued for the next flush.</param>
    internal bool TryTake(long window, int budget, out bool queue)
    {
        lock (_gate)
        {
            if (window != _window)
            {
                (_window, _mine, _confirmed, _cluster) = (window, 0, 0, 0);
            }

            queue = false;
            if (_cluster + _mine - _confirmed >= budget)
            {
                return false;
            }

            _mine++;
            queue = !_queued;
            _queued = true;
            return true;
        }
    }

    /// <summary>The posts to add to Redis: everything accepted here that it has not counted yet.</summary>
    internal bool TryBeginFlush(out long window, out int count)
    {
        lock (_gate)
        {
            _queued = false;
            window = _window;
            count = _mine - _confirmed;
            return count > 0;
        }
    }

    /// <summary>Redis counted <paramref name="count"/> more posts of <paramref name="window"/>, making <paramref name="total"/>.</summary>
    internal void Confirm(long window, int count, long total)
    {
        lock (_gate)
        {
            if (window == _window)
            {
                _confirmed += count;
                _cluster = Math.Max(_cluster, total);
            }
        }
    }

    /// <returns>true when the user has to be queued again (a flush failed; its posts are still uncounted).</returns>
    internal bool Requeue()
    {
        lock (_gate)
        {
            var queue = !_queued;
            _queued = true;
            return queue;
        }
    }

    /// <returns>false when this entry was retired meanwhile: take the one that replaces it.</returns>
    internal bool TryAttach()
    {
        lock (_gate)
        {
            if (_retired)
            {
                return false;
            }

            _connections++;
            return true;
        }
    }

    /// <returns>true when that was the user's last connection here.</returns>
    internal bool Detach()
    {
        lock (_gate)
        {
            return --_connections == 0;
        }
    }

    /// <summary>Retires the entry when no connection holds it and its window is over (nothing in it matters any more).</summary>
    /// <returns>null while a connection holds it (forget it), false while its window runs (look again later), true once retired.</returns>
    internal bool? TryRetire(long currentWindow)
    {
        lock (_gate)
        {
            if (_connections > 0 || _retired)
            {
                return null;
            }

            if (_window >= currentWindow)
            {
                return false;
            }

            _retired = true;
            return true;
        }
    }
}
