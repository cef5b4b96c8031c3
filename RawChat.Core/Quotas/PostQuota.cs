using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RawChat.Core.Observability;
using StackExchange.Redis;

namespace RawChat.Core.Quotas;

/// <summary>
/// The cluster-wide posting budget of each user: <see cref="QuotaOptions.PostBurstPerUser"/> posts
/// per window of <see cref="QuotaOptions.PostWindowMilliseconds"/>, over all the user's connections
/// on all nodes. A post is decided here, from memory, with no Redis round trip; every
/// <see cref="QuotaOptions.FlushMilliseconds"/> <see cref="FlushAsync"/> adds the users' new posts to
/// Redis and reads the cluster's totals back, in one script per bucket. A user over budget is refused
/// on a node once it knows, until the window ends. Other nodes' posts are learnt up to two flush
/// intervals (plus Redis round trips) late: that is the overshoot the budget allows (docs/configuration.md, "Quotas across nodes").
/// While Redis is away, each node holds each user to the budget on its own.
/// </summary>
public sealed partial class PostQuota(PostCountStore store, IOptions<QuotaOptions> options, TimeProvider time,
    IChatMetrics metrics, ILogger<PostQuota> logger)
{
    /// <summary>Users in one script: Redis runs other clients' commands between scripts.</summary>
    private const int FlushChunk = 512;

    private readonly ConcurrentDictionary<string, UserPosts> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<UserPosts> _queued = new();
    private readonly ConcurrentQueue<UserPosts> _idle = new();
    private readonly int _budget = options.Value.PostBurstPerUser;
    private readonly long _windowMilliseconds = options.Value.PostWindowMilliseconds;
    private readonly LogLimiter _failureLog = new(TimeSpan.FromMinutes(1));

    /// <summary>The user's counter on this node, for a new connection; give it back with <see cref="Detach"/>.</summary>
    public UserPosts Attach(string userId)
    {
        while (true)
        {
            var posts = _users.GetOrAdd(userId, static id => new UserPosts(id, PostCountStore.BucketOf(id)));
            if (posts.TryAttach())
            {
                return posts;
            }
        }
    }

    public void Detach(UserPosts posts)
    {
        if (posts.Detach())
        {
            _idle.Enqueue(posts);
        }
    }

    /// <summary>Takes one post from the user's budget; false when the user is over it for the rest of the window.</summary>
    public bool TryTake(UserPosts posts)
    {
        if (!posts.TryTake(CurrentWindow(), _budget, out var queue))
        {
            return false;
        }

        if (queue)
        {
            _queued.Enqueue(posts);
        }

        return true;
    }

    /// <summary>
    /// Adds the posts accepted since the last flush to Redis and learns the cluster's totals. While
    /// Redis is away, the counts wait (and each node enforces the budget alone).
    /// </summary>
    public async Task FlushAsync()
    {
        if (!store.IsConnected)
        {
            if (!_queued.IsEmpty)
            {
                FailedOpen(null);
            }
        }
        else
        {
            await Task.WhenAll(TakeQueued().SelectMany(g => g.Value.Chunk(FlushChunk).Select(c => AddAsync(g.Key.Window, g.Key.Bucket, c))))
                .ConfigureAwait(false);
        }

        RetireIdle();
    }

    /// <summary>The queued users' uncounted posts, by window and bucket (one Redis hash each).</summary>
    private Dictionary<(long Window, int Bucket), List<(UserPosts Posts, int Count)>> TakeQueued()
    {
        var groups = new Dictionary<(long Window, int Bucket), List<(UserPosts Posts, int Count)>>();
        var users = _queued.Count;
        for (var i = 0; i < users && _queued.TryDequeue(out var posts); i++)
        {
            if (posts.TryBeginFlush(out var window, out var count))
            {
                var key = (window, posts.Bucket);
                if (!groups.TryGetValue(key, out var group))
                {
                    groups[key] = group = [];
                }

                group.Add((posts, count));
            }
        }

        return groups;
    }

    private async Task AddAsync(long window, int bucket, (UserPosts Posts, int Count)[] counts)
    {
        try
        {
            var totals = await store.AddAsync(window, bucket, [.. counts.Select(c => (c.Posts.UserId, c.Count))]).ConfigureAwait(false);
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i].Posts.Confirm(window, counts[i].Count, totals[i]);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            foreach (var (posts, _) in counts)
            {
                if (posts.Requeue())
                {
                    _queued.Enqueue(posts);
                }
            }

            FailedOpen(e);
        }
    }

    private void FailedOpen(Exception? error)
    {
        metrics.QuotaFailedOpen(QuotaKinds.Posts);
        if (_failureLog.TryEnter(out var held))
        {
            LogFlushFailed(logger, error, held);
        }
    }

    /// <summary>Forgets users with no connection here once their window is over.</summary>
    private void RetireIdle()
    {
        var current = CurrentWindow();
        var idle = _idle.Count;
        for (var i = 0; i < idle && _idle.TryDequeue(out var posts); i++)
        {
            switch (posts.TryRetire(current))
            {
                case true:
                    _users.TryRemove(new KeyValuePair<string, UserPosts>(posts.UserId, posts));
                    break;
                case false:
                    _idle.Enqueue(posts); // its window still runs
                    break;
            }
        }
    }

    private long CurrentWindow() => time.GetUtcNow().ToUnixTimeMilliseconds() / _windowMilliseconds;

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning,
        Message = "Redis did not take users' post counts: each node holds them to the budget alone until it does ({Held} more since the last such line)")]
    private static partial void LogFlushFailed(ILogger logger, Exception? error, long held);
}
