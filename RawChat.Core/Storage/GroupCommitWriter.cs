using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace RawChat.Core.Storage;

/// <summary>
/// Group commit: posts that arrive while a batch is being stored wait together and go in the
/// next one — one statement, one round trip, one commit for all of them. Each caller still gets
/// its own result only after its row is committed, so an ack never comes before the data is safe.
/// </summary>
public sealed partial class GroupCommitWriter : IAsyncDisposable
{
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly NpgsqlDataSource _dataSource;
    private readonly MessageStore _store;
    private readonly ILogger<GroupCommitWriter> _logger;
    private readonly int _maxBatch;
    private readonly Task[] _writers;

    public GroupCommitWriter(NpgsqlDataSource dataSource, MessageStore store, IOptions<StorageOptions> options,
        ILogger<GroupCommitWriter> logger)
    {
        _dataSource = dataSource;
        _store = store;
        _logger = logger;
        _maxBatch = options.Value.MaxBatchSize;
        _writers = Enumerable.Range(0, options.Value.Writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    public Task<AppendResult> AppendAsync(NewMessage message)
    {
        var pending = new PendingAppend(message);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitWriter));
        }

        return pending.Result.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            if (batch.Count > 0)
            {
                await StoreAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
    }

    private async Task StoreAsync(List<PendingAppend> batch)
    {
        // A clientMsgId posted twice in one batch is stored once; the later copy is its duplicate.
        var distinct = new List<PendingAppend>(batch.Count);
        var firstByKey = new Dictionary<(string, string, string), PendingAppend>();
        foreach (var pending in batch)
        {
            var m = pending.Message;
            if (m.ClientMsgId is not null && firstByKey.TryGetValue((m.Room, m.UserId, m.ClientMsgId), out var first))
            {
                first.Echoes.Add(pending);
                continue;
            }

            if (m.ClientMsgId is not null)
            {
                firstByKey[(m.Room, m.UserId, m.ClientMsgId)] = pending;
            }

            distinct.Add(pending);
        }

        try
        {
            StoredMessage?[] rows;
            await using (var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false))
            {
                rows = await BatchInsert.ExecuteAsync(connection, distinct.Select(p => p.Message).ToList(), CancellationToken.None)
                    .ConfigureAwait(false);
            }

            for (var i = 0; i < distinct.Count; i++)
            {
                var result = rows[i] is { } row
                    ? new AppendResult(row, Duplicate: false)
                    : new AppendResult(await _store.FindByClientMsgIdAsync(distinct[i].Message, CancellationToken.None)
                        .ConfigureAwait(false), Duplicate: true);
                distinct[i].Complete(result);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another node stored one of these clientMsgIds at the same moment: fall back to one
            // statement per post, which resolves each race on its own.
            LogBatchRace(_logger, distinct.Count);
            await StoreOneByOneAsync(distinct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var pending in distinct)
            {
                pending.Fail(e);
            }
        }
    }

    private async Task StoreOneByOneAsync(List<PendingAppend> batch)
    {
        foreach (var pending in batch)
        {
            try
            {
                pending.Complete(await _store.AppendOneAsync(pending.Message, CancellationToken.None).ConfigureAwait(false));
            }
            catch (Exception e)
            {
                pending.Fail(e);
            }
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "A batch of {Count} posts met a concurrent duplicate; storing them one by one")]
    private static partial void LogBatchRace(ILogger logger, int count);

    private sealed class PendingAppend(NewMessage message)
    {
        public NewMessage Message { get; } = message;

        /// <summary>
        /// Completed by the writer loop, which then runs each post's continuation itself (ack,
        /// fan-out, back to that socket's next read): one thread-pool hop less per post. The
        /// continuations never block; the other writer keeps storing meanwhile.
        /// </summary>
        public TaskCompletionSource<AppendResult> Result { get; } = new();

        /// <summary>Later posts of the same clientMsgId in the same batch.</summary>
        public List<PendingAppend> Echoes { get; } = [];

        public void Complete(AppendResult result)
        {
            Result.TrySetResult(result);
            foreach (var echo in Echoes)
            {
                echo.Result.TrySetResult(result with { Duplicate = true });
            }
        }

        public void Fail(Exception error)
        {
            Result.TrySetException(error);
            foreach (var echo in Echoes)
            {
                echo.Result.TrySetException(error);
            }
        }
    }
}
