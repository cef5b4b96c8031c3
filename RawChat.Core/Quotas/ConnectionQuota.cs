using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RawChat.Core.Observability;
using StackExchange.Redis;

namespace RawChat.Core.Quotas;

/// <summary>
/// This node's side of the cluster-wide connection limit: the claims it holds per user (refreshed
/// by <see cref="RefreshAsync"/>), and admission. The node's own count of a user's sockets is a
/// lower bound of the cluster's, so a user at the limit here is refused without asking Redis; when
/// Redis does not answer in time, the node admits on that count alone (fails open): a Redis outage
/// must not lock every user out, and each node still holds a user to the limit on its own.
/// </summary>
public sealed partial class ConnectionQuota(ConnectionClaimStore store, IOptions<QuotaOptions> options,
    IChatMetrics metrics, ILogger<ConnectionQuota> logger)
{
    /// <summary>Users refreshed at once by the heartbeat: Redis runs other clients' commands between chunks.</summary>
    private const int RefreshChunk = 256;

    private readonly ConcurrentDictionary<string, UserClaims> _users = new(StringComparer.Ordinal);
    private readonly QuotaOptions _options = options.Value;
    private readonly string _nodeKey = Guid.NewGuid().ToString("N")[..16];
    private readonly LogLimiter _failOpenLog = new(TimeSpan.FromMinutes(1));

    /// <summary>Claims a place for a new socket of the user.</summary>
    /// <returns>The claim, or null when the user holds <see cref="QuotaOptions.MaxConnectionsPerUser"/> sockets already.</returns>
    public async Task<ConnectionClaim?> TryClaimAsync(string userId, string connectionId)
    {
        if (Reserve(userId) is not { } user)
        {
            return null;
        }

        var member = _nodeKey + ":" + connectionId;
        bool? granted = null; // null: Redis did not answer
        if (store.IsConnected)
        {
            var claiming = store.ClaimAsync(userId, member, _options.MaxConnectionsPerUser);
            try
            {
                granted = await claiming.WaitAsync(TimeSpan.FromMilliseconds(_options.ClaimTimeoutMilliseconds)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                _ = claiming.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                FailedOpen(e);
            }
        }
        else
        {
            FailedOpen(null);
        }

        lock (user)
        {
            user.Reserved--;
            if (granted == false)
            {
                RetireIfEmpty(userId, user);
                return null;
            }

            // Held even when Redis did not answer: a late claim is released with it, and the
            // heartbeat puts a missing one in, so the cluster's count catches up once Redis is back.
            user.Members.Add(member);
            return new ConnectionClaim(userId, member, user);
        }
    }

    /// <summary>Gives a socket's place back, in Redis as well (without waiting for it).</summary>
    public void Release(ConnectionClaim claim)
    {
        var user = claim.Owner;
        lock (user)
        {
            if (!user.Members.Remove(claim.Member))
            {
                return;
            }

            store.Release(claim.UserId, claim.Member);
            RetireIfEmpty(claim.UserId, user);
        }
    }

    /// <summary>
    /// The heartbeat: pushes the expiry of every claim this node holds forward, one script per user,
    /// pipelined in chunks. A claim Redis lost is put back.
    /// </summary>
    public async Task RefreshAsync()
    {
        if (!store.IsConnected)
        {
            return;
        }

        var chunk = new List<Task>(RefreshChunk);
        foreach (var (userId, user) in _users)
        {
            lock (user)
            {
                // Issued under the user's lock, so it cannot overtake the release of a member it names.
                if (user.Members.Count > 0)
                {
                    chunk.Add(store.RefreshAsync(userId, user.Members));
                }
            }

            if (chunk.Count == RefreshChunk)
            {
                await Task.WhenAll(chunk).ConfigureAwait(false);
                chunk.Clear();
            }
        }

        await Task.WhenAll(chunk).ConfigureAwait(false);
    }

    private UserClaims? Reserve(string userId)
    {
        while (true)
        {
            var user = _users.GetOrAdd(userId, static _ => new UserClaims());
            lock (user)
            {
                if (user.Retired)
                {
                    continue; // removed meanwhile: take the one that replaces it
                }

                if (user.Count >= _options.MaxConnectionsPerUser)
                {
                    return null;
                }

                user.Reserved++;
                return user;
            }
        }
    }

    private void RetireIfEmpty(string userId, UserClaims user)
    {
        if (user.Count == 0)
        {
            user.Retired = true;
            _users.TryRemove(new KeyValuePair<string, UserClaims>(userId, user));
        }
    }

    private void FailedOpen(Exception? error)
    {
        metrics.QuotaFailedOpen(QuotaKinds.Connections);
        if (_failOpenLog.TryEnter(out var held))
        {
            LogFailedOpen(logger, error, held);
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning,
        Message = "Redis did not answer a connection claim: admitted on this node's own count ({Held} more since the last such line)")]
    private static partial void LogFailedOpen(ILogger logger, Exception? error, long held);
}
