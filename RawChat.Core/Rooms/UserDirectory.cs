using System.Collections.Concurrent;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace RawChat.Core.Rooms;

/// <summary>
/// Users as records (docs/protocol.md §14.1): each connect and API call notes the token's user id and name; a
/// background loop upserts what was noted, many users per statement, at most once a second. A connect never waits
/// for it. A user seen again within a minute under the same name is not written again. What is queued past
/// <see cref="MaxQueued"/> is dropped (the next sighting writes it): only the name and last-seen time could lag.
/// </summary>
public sealed partial class UserDirectory(NpgsqlDataSource dataSource, TimeProvider time, ILogger<UserDirectory> logger)
{
    public const int MaxQueued = 10_000;
    private const int MaxRemembered = 100_000;
    private static readonly TimeSpan Rewrite = TimeSpan.FromMinutes(1);

    private readonly Channel<(string UserId, string Name, DateTime SeenAt)> _queue =
        Channel.CreateBounded<(string, string, DateTime)>(new BoundedChannelOptions(MaxQueued) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly ConcurrentDictionary<string, (string Name, DateTime WrittenAt)> _written = new(StringComparer.Ordinal);

    public void Seen(string userId, string name)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (_written.TryGetValue(userId, out var last) && last.Name == name && now - last.WrittenAt < Rewrite)
        {
            return;
        }

        if (_written.Count >= MaxRemembered)
        {
            _written.Clear();
        }

        _written[userId] = (name, now);
        _queue.Writer.TryWrite((userId, name, now));
    }

    /// <summary>Writes what was noted until <paramref name="ct"/> ends.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var batch = new Dictionary<string, (string Name, DateTime SeenAt)>(StringComparer.Ordinal);
        while (await _queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (batch.Count < 1000 && _queue.Reader.TryRead(out var seen))
            {
                batch[seen.UserId] = (seen.Name, seen.SeenAt);
            }

            try
            {
                await using var db = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await db.ExecuteAsync("""
                    INSERT INTO users (user_id, name, last_seen)
                    SELECT * FROM unnest(@ids, @names, @seen)
                    ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, last_seen = greatest(users.last_seen, EXCLUDED.last_seen)
                    """, new
                {
                    ids = batch.Keys.ToArray(), names = batch.Values.Select(v => v.Name).ToArray(),
                    seen = batch.Values.Select(v => v.SeenAt).ToArray()
                }).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogWriteFailed(logger, e, batch.Count);
                _written.Clear(); // write them again at their next sighting
            }

            batch.Clear();
            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Recording {Count} users in PostgreSQL failed; they are written again when next seen")]
    private static partial void LogWriteFailed(ILogger logger, Exception error, int count);
}
