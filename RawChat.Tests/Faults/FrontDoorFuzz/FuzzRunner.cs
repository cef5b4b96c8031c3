using System.Net.Sockets;
using System.Text;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>
/// Runs a wave's sessions at once, each on its own connection, user slot and room, sending
/// every frame pipelined while a reader drains the answers. Throws
/// <see cref="ProtocolBrokenException"/> with all that went wrong: answers and closes outside
/// the protocol, broken server framing, acked posts missing from PostgreSQL, Error-level log lines.
/// </summary>
internal sealed class FuzzRunner(ChatNode node, LogCapture logs, string postgres, FuzzStats stats)
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(60);
    private int _sessions;

    /// <summary>What the first failing wave broke, before FsCheck shrinks it to one problem.</summary>
    public string? FirstFailure { get; private set; }

    public async Task RunWaveAsync(Wave wave)
    {
        var linesBefore = logs.Lines.Count;
        var results = await Task.WhenAll(wave.Sessions.Select(RunSessionAsync));
        var problems = results.SelectMany((r, slot) => r.Problems.Select(p => $"session [{slot}]: {p}")).ToList();
        problems.AddRange(await StoredAcks.MissingAsync(postgres, [.. results.SelectMany(r => r.Acks)], stats));
        problems.AddRange(logs.Lines.Skip(linesBefore).Where(IsError).Select(line => $"node log: {line}"));
        if (problems.Count > 0)
        {
            var warnings = logs.Lines.Skip(linesBefore).Where(l => l.StartsWith("Warning ", StringComparison.Ordinal)).Take(5)
                .Select(line => $"node log: {(line.Length > 2000 ? line[..2000] + "…" : line)}");
            var failure = string.Join("\n", problems.Take(30).Concat(warnings))
                + (problems.Count > 30 ? $"\n… {problems.Count - 30} more problems" : "");
            FirstFailure ??= failure;
            throw new ProtocolBrokenException(failure);
        }
    }

    public static bool IsError(string logLine) => logLine.StartsWith("Error ", StringComparison.Ordinal)
        || logLine.StartsWith("Critical ", StringComparison.Ordinal);

    private async Task<(List<string> Problems, List<Ack> Acks)> RunSessionAsync(Session session, int slot)
    {
        var number = Interlocked.Increment(ref _sessions);
        var userId = $"{9100 + slot}";
        var marker = $"end-{number}-{Guid.NewGuid():N}";
        var oracle = new SessionOracle(session, userId, marker, stats);
        var problems = new List<string>();
        var stage = "connecting";
        using var timeout = new CancellationTokenSource(SessionTimeout);
        var ct = timeout.Token;
        RawWebSocket? socket = null;
        var reading = Task.CompletedTask;
        try
        {
            var token = Uri.EscapeDataString(TestTokens.For(userId, $"fuzz{slot}"));
            socket = await RawWebSocket.ConnectAsync(node.Chat($"/ws/chat/{Rooms.Unique($"fuzz{number}")}?token={token}"), ct);
            reading = oracle.ReadAsync(socket, ct);
            stage = "sending the steps";
            var pings = new List<byte[]>();
            if (await SendStepsAsync(socket, session, pings, problems, ct))
            {
                if (session.End is { } end)
                {
                    stage = $"waiting for the close that the ending '{end.Kind}' earns";
                    await EndAsync(socket, end, problems, ct);
                }
                else
                {
                    stage = "waiting for the answer to the end marker";
                    await EndPolitelyAsync(socket, oracle, marker, pings, problems, ct);
                }
            }

            stage = "reading the last answers";
            await reading;
            stats.Count($"session ending: {session.End?.Kind ?? "polite"}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            problems.Add($"timed out after {SessionTimeout.TotalSeconds:F0} s {stage}");
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
        {
            problems.Add($"failed while {stage}: {e.Message}"); // e.g. the node refused the upgrade
        }
        finally
        {
            if (socket is not null)
            {
                await socket.DisposeAsync();
            }

            try
            {
                await reading; // already done, unless the session timed out
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // Reported above.
            }
        }

        problems.InsertRange(0, oracle.Problems);
        if (session.End is not { Code: 1002 })
        {
            // Only the runtime's own 1002 may cut answers short: every other close comes after them.
            problems.AddRange(oracle.Unanswered);
        }

        problems.AddRange(socket?.Violations.Select(v => $"broken server framing: {v}") ?? []);
        if (socket is { FramesAfterClose: > 0 and var after })
        {
            // The runtime's own 1002 close races frames the send loop already handed it; elsewhere none may follow a close.
            stats.Count($"frames after the close frame, ending {session.End?.Kind ?? "polite"}", after);
            if (session.End is not { Code: 1002 })
            {
                problems.Add($"the server sent {after} frames after its close frame (RFC 6455 §5.5.1)");
            }
        }
        return (problems, oracle.Acks);
    }

    /// <returns>false when the connection broke while the steps were still being sent.</returns>
    private async Task<bool> SendStepsAsync(RawWebSocket socket, Session session, List<byte[]> pings, List<string> problems, CancellationToken ct)
    {
        var batch = new List<RawFrame>();
        var bytes = 0;
        for (var i = 0; i < session.Steps.Length; i++)
        {
            foreach (var frame in session.Steps[i].Frames())
            {
                batch.Add(frame);
                bytes += frame.Payload.Length;
                if (frame.Opcode == Opcode.Ping)
                {
                    pings.Add(frame.Payload);
                }
            }

            stats.Count($"step {session.Steps[i].Kind}");
            if (bytes < 8 * 1024 && i < session.Steps.Length - 1)
            {
                continue;
            }

            try
            {
                await socket.SendAsync(batch, ct);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                var (code, reason) = await socket.Closed.WaitAsync(ct);
                problems.Add($"the connection broke while sending up to step {i} (server close: {code?.ToString() ?? "none"} '{reason}'): {e.Message}");
                return false;
            }

            stats.AddFrames(batch.Count);
            (batch, bytes) = ([], 0);
        }

        return true;
    }

    private async Task EndAsync(RawWebSocket socket, Ending end, List<string> problems, CancellationToken ct)
    {
        try
        {
            await socket.SendAsync(end.Frames, ct);
            stats.AddFrames(end.Frames.Length);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The server may close before it has read an ending's last bytes; its close is what counts.
        }

        var (code, reason) = await socket.Closed.WaitAsync(ct);
        stats.Count($"close {code?.ToString() ?? "(none)"} {reason}");
        var expected = code == end.Code && (end.Reason is null || reason == end.Reason);
        // Broken framing is failed by the runtime itself, which races the node's send loop: its
        // 1002 close can be overtaken by a reset. A drop is tolerated there; any other code is not.
        if (!expected && !(end.Code == 1002 && code is null))
        {
            problems.Add($"ending '{end.Kind}' must close {end.Code} '{end.Reason ?? "(any reason)"}', got "
                + (code is null ? $"no close frame ({socket.Ending})" : $"{code} '{reason}'"));
        }

        await socket.Ended.WaitAsync(ct);
        if (end.Code != 1002)
        {
            ExpectCleanEnd(socket, problems);
        }
    }

    private async Task EndPolitelyAsync(RawWebSocket socket, SessionOracle oracle, string marker, List<byte[]> pings,
        List<string> problems, CancellationToken ct)
    {
        await socket.SendAsync(RawFrame.Text(Encoding.UTF8.GetBytes($"{{\"type\":\"end-of-fuzz\",\"clientMsgId\":\"{marker}\"}}")), ct);
        stats.AddFrames(1);
        if (!await oracle.MarkerAnswered.WaitAsync(ct))
        {
            var (code, reason) = await socket.Closed.WaitAsync(ct);
            problems.Add($"the connection ended ({(code is null ? $"no close frame, {socket.Ending}" : $"close {code} '{reason}'")}) before the end marker was answered");
            return;
        }

        // The runtime answers each ping as it reads it, so every pong precedes the marker's answer.
        var sent = pings.Select(Convert.ToHexString).Order(StringComparer.Ordinal).ToList();
        var got = socket.Pongs.Select(Convert.ToHexString).Order(StringComparer.Ordinal).ToList();
        if (!sent.SequenceEqual(got))
        {
            problems.Add($"{sent.Count} pings got {got.Count} pongs, or pongs with other payloads");
        }

        await socket.SendAsync(RawFrame.Close(1000), ct);
        stats.AddFrames(1);
        var (closeCode, closeReason) = await socket.Closed.WaitAsync(ct);
        stats.Count($"close {closeCode?.ToString() ?? "(none)"} {closeReason} (polite)");
        if (closeCode != 1000 || closeReason != "")
        {
            problems.Add($"a client's close 1000 was answered with {(closeCode is null ? "no close frame" : $"{closeCode} '{closeReason}'")}");
        }

        await socket.Ended.WaitAsync(ct);
        ExpectCleanEnd(socket, problems);
    }

    /// <summary>
    /// Once both close frames are exchanged the server must end the TCP connection itself (RFC 6455
    /// §7.1.1), with a FIN. A reset instead means it aborted, typically after its close timeout
    /// because it never read the client's close frame.
    /// </summary>
    private static void ExpectCleanEnd(RawWebSocket socket, List<string> problems)
    {
        if (socket.Ending != "EOF")
        {
            problems.Add($"after the closing handshake the server ended the TCP connection with '{socket.Ending}', not a FIN, "
                + $"{socket.CloseToEnd?.TotalSeconds:F1} s after its close frame");
        }
    }
}
