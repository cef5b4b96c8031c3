using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RawChat.Core.Observability;

namespace RawChat.Core.Storage;

/// <summary>
/// Group commit: posts that arrive while a batch is being stored wait together and go in the
/// next one — one statement, one round trip, one commit for all of them. Each post is answered
/// only after its row is committed, so an ack never comes before the data is safe.
/// <para>
/// Every room belongs to one writer (by hash), so a sender's posts to a room keep their order in
/// <c>seq</c> however many it has in flight. Every post gets an answer within the queue timeout
/// plus the command timeout (see <see cref="StorageOptions"/>), however long PostgreSQL hangs,
/// unless the connection was lost while its COMMIT was under way: then the answer waits until
/// PostgreSQL can say whether it committed (<see cref="StoreTransaction"/>). When PostgreSQL
/// refuses a batch for one post's data, the posts are stored one by one, so only that post is
/// refused. Answers run on the writer's thread (<see cref="PendingAppend"/>), never a client's loop.
/// </para>
/// </summary>
public sealed partial class GroupCommitWriter : IAsyncDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(100);

    private readonly NpgsqlDataSource _dataSource;
    private readonly StoreTransaction _transactions;
    private readonly ILogger<GroupCommitWriter> _logger;
    private readonly int _maxBatch;
    private readonly TimeSpan _queueTimeout;
    private readonly TimeSpan _commandTimeout;
    private readonly WriterQueue[] _queues;
    private readonly Task[] _writers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _sweeper;
    private readonly LogLimiter _expiryLog = new(TimeSpan.FromSeconds(5)); // during an outage every sweep refuses some

    public GroupCommitWriter(NpgsqlDataSource dataSource, IOptions<StorageOptions> options, ILogger<GroupCommitWriter> logger)
    {
        var storage = options.Value;
        _dataSource = dataSource;
        _logger = logger;
        _maxBatch = storage.MaxBatchSize;
        _queueTimeout = TimeSpan.FromMilliseconds(storage.QueueTimeoutMilliseconds);
        _commandTimeout = TimeSpan.FromMilliseconds(storage.CommandTimeoutMilliseconds);
        _transactions = new StoreTransaction(dataSource, _commandTimeout, logger);
        _queues = [.. Enumerable.Range(0, storage.Writers).Select(_ => new WriterQueue())];
        _writers = [.. _queues.Select(queue => Task.Run(() => WriteLoopAsync(queue)))];
        _sweeper = Task.Run(SweepLoopAsync);
    }

    /// <summary>Hands a post over; it is answered through its own callbacks, exactly once.</summary>
    public void Submit(PendingAppend post)
    {
        var queue = _queues[(uint)StringComparer.Ordinal.GetHashCode(post.Message.Room) % (uint)_queues.Length];
        if (!queue.TryAdd(post))
        {
            post.Refuse(AppendRefusal.Unavailable); // the node is stopping
        }
    }

    /// <summary>Stores a post and completes once it is committed.</summary>
    /// <exception cref="AppendRefusedException">The post was not stored.</exception>
    public Task<AppendResult> AppendAsync(NewMessage message) => AppendAsync(message, trace: null);

    /// <inheritdoc cref="AppendAsync(NewMessage)"/>
    /// <param name="message">The post.</param>
    /// <param name="trace">The post's receive activity, for the commit to link to.</param>
    public Task<AppendResult> AppendAsync(NewMessage message, Activity? trace)
    {
        var post = new AwaitedAppend(message) { Trace = trace };
        Submit(post);
        return post.Result;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            queue.Complete();
        }

        // Posts already taken get their deadlines; only a COMMIT of unknown outcome could wait longer.
        var writing = Task.WhenAll(_writers);
        await Task.WhenAny(writing, Task.Delay(_queueTimeout + _commandTimeout + _commandTimeout)).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll([writing, _sweeper]).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task WriteLoopAsync(WriterQueue queue)
    {
        var batch = new List<PendingAppend>(_maxBatch);
        var expired = new List<PendingAppend>();
        while (await queue.TakeAsync(batch, expired, _maxBatch, _queueTimeout).ConfigureAwait(false))
        {
            RefuseExpired(expired);
            if (batch.Count > 0)
            {
                await StoreAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
    }

    /// <summary>Refuses posts that waited too long while every writer was busy (e.g. with a hung PostgreSQL).</summary>
    private async Task SweepLoopAsync()
    {
        using var timer = new PeriodicTimer(SweepInterval);
        var expired = new List<PendingAppend>();
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                foreach (var queue in _queues)
                {
                    queue.TakeExpired(expired, _queueTimeout);
                }

                RefuseExpired(expired);
            }
        }
        catch (OperationCanceledException)
        {
            // The writer is disposed.
        }
    }

    private void RefuseExpired(List<PendingAppend> expired)
    {
        if (expired.Count == 0)
        {
            return;
        }

        if (_expiryLog.TryEnter(expired.Count, out var held))
        {
            LogExpired(_logger, expired.Count + held, (int)_queueTimeout.TotalMilliseconds);
        }

        Answer(expired, AppendRefusal.Unavailable);
        expired.Clear();
    }

    private async Task StoreAsync(List<PendingAppend> batch)
    {
        var distinct = WithoutEchoes(batch);
        var commit = ChatActivities.StartCommit(distinct, static p => p.Trace);
        try
        {
            var messages = distinct.ConvertAll(p => p.Message);
            var rows = await _transactions.RunAsync(
                (connection, ct) => BatchInsert.ExecuteAsync(connection, messages, ct), _stopping.Token).ConfigureAwait(false);
            ChatActivities.Stop(commit); // before the answers: they fan out, which is not the commit's time

            for (var i = 0; i < distinct.Count; i++)
            {
                if (rows[i] is { } row)
                {
                    Answer(distinct[i], new AppendResult(row, Duplicate: false));
                }
                else
                {
                    await AnswerDuplicateAsync(distinct[i]).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (StorageFailures.IsDataError(e))
        {
            // One post's data (or a duplicate stored by another node just now) sank the whole batch,
            // and nothing of it was committed: store each post alone, so only a culprit is refused.
            ChatActivities.Stop(commit, "data_error");
            LogBatchFallback(_logger, e, distinct.Count);
            foreach (var post in distinct)
            {
                await StoreAloneAsync(post).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            ChatActivities.Stop(commit, e.GetType().Name); // the type only: a message may quote the data
            LogBatchFailed(_logger, e, distinct.Count);
            Answer(distinct, AppendRefusal.Unavailable);
        }
    }

    private async Task StoreAloneAsync(PendingAppend post)
    {
        try
        {
            var row = await _transactions.RunAsync(
                (connection, ct) => SingleInsert.ExecuteAsync(connection, post.Message, ct), _stopping.Token).ConfigureAwait(false);
            if (row is not null)
            {
                Answer(post, new AppendResult(row, Duplicate: false));
                return;
            }
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "messages_client_msg_id" })
        {
            // A concurrent retry with the same clientMsgId won; answer with its row.
        }
        catch (Exception e) when (StorageFailures.IsDataError(e))
        {
            LogPostRefused(_logger, e);
            Answer([post], AppendRefusal.Invalid);
            return;
        }
        catch (Exception e)
        {
            LogBatchFailed(_logger, e, 1);
            Answer([post], AppendRefusal.Unavailable);
            return;
        }

        await AnswerDuplicateAsync(post).ConfigureAwait(false);
    }

    private async Task AnswerDuplicateAsync(PendingAppend post)
    {
        try
        {
            var first = await Deadline.RunAsync(FindDuplicateAsync(post.Message), _commandTimeout).ConfigureAwait(false);
            Answer(post, new AppendResult(first, Duplicate: true));
        }
        catch (Exception e)
        {
            // The first copy is stored; a retry with the same clientMsgId is answered as its duplicate.
            LogBatchFailed(_logger, e, 1);
            Answer([post], AppendRefusal.Unavailable);
        }
    }

    private async Task<StoredMessage> FindDuplicateAsync(NewMessage message)
    {
        var connection = await _dataSource.OpenConnectionAsync(_stopping.Token).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await SingleInsert.FindDuplicateAsync(connection, message, _stopping.Token).ConfigureAwait(false);
        }
    }

    /// <summary>A clientMsgId posted twice in one batch is stored once; the later copy is its duplicate.</summary>
    private static List<PendingAppend> WithoutEchoes(List<PendingAppend> batch)
    {
        var distinct = new List<PendingAppend>(batch.Count);
        Dictionary<(string, string, string), PendingAppend>? firstByKey = null;
        foreach (var post in batch)
        {
            var m = post.Message;
            if (m.ClientMsgId is not null)
            {
                firstByKey ??= [];
                if (firstByKey.TryGetValue((m.Room, m.UserId, m.ClientMsgId), out var first))
                {
                    (first.Echoes ??= []).Add(post);
                    continue;
                }

                firstByKey[(m.Room, m.UserId, m.ClientMsgId)] = post;
            }

            distinct.Add(post);
        }

        return distinct;
    }

    private void Answer(PendingAppend post, AppendResult result)
    {
        try
        {
            post.Complete(result);
        }
        catch (Exception e)
        {
            LogAnswerFailed(_logger, e);
        }
    }

    private void Answer(List<PendingAppend> posts, AppendRefusal refusal)
    {
        foreach (var post in posts)
        {
            try
            {
                post.Refuse(refusal);
            }
            catch (Exception e)
            {
                LogAnswerFailed(_logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug,
        Message = "A batch of {Count} posts was refused for one post's data or met a concurrent duplicate; storing them one by one")]
    private static partial void LogBatchFallback(ILogger logger, Exception error, int count);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "Storing a batch of {Count} posts failed; they are refused unavailable")]
    private static partial void LogBatchFailed(ILogger logger, Exception error, int count);

    [LoggerMessage(EventId = 114, Level = LogLevel.Information, Message = "PostgreSQL refused a post's data; that post alone is refused")]
    private static partial void LogPostRefused(ILogger logger, Exception error);

    [LoggerMessage(EventId = 115, Level = LogLevel.Warning,
        Message = "{Count} posts waited more than {TimeoutMs} ms to be stored and were refused unavailable (counted since the last such line)")]
    private static partial void LogExpired(ILogger logger, long count, int timeoutMs);

    [LoggerMessage(EventId = 116, Level = LogLevel.Error, Message = "Answering a stored post failed")]
    private static partial void LogAnswerFailed(ILogger logger, Exception error);

    /// <summary>A post whose caller awaits it (the HTTP publish API); its continuation never runs on the writer.</summary>
    private sealed class AwaitedAppend(NewMessage message) : PendingAppend(message)
    {
        private readonly TaskCompletionSource<AppendResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<AppendResult> Result => _result.Task;

        protected override void OnStored(AppendResult result) => _result.TrySetResult(result);

        protected override void OnRefused(AppendRefusal refusal) => _result.TrySetException(new AppendRefusedException(refusal));
    }
}
