using System.Text.Json;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>
/// Judges every text message the server sends on one session's connection against docs/protocol.md §2.2:
/// JSON objects of a type the protocol knows, errors with its codes only, and for each tagged
/// step exactly one answer carrying its tag, the promised ack or error. Posts are pipelined, so an
/// ack may come after the answers to later frames; but acks keep the order of their posts, with
/// rising seqs, and each comes before the sender's own copy of its message.
/// </summary>
internal sealed class SessionOracle
{
    public static readonly HashSet<string> ServerTypes = ["message", "ack", "joined", "left", "history", "pong", "error", "presence", "typing"];

    public static readonly HashSet<string> ErrorCodes =
    [
        "invalid_json", "invalid_frame", "unknown_type", "message_empty", "message_too_long", "invalid_room",
        "forbidden_room", "not_joined", "rate_limited", "replay_truncated", "too_many_rooms", "unavailable",
    ];

    private readonly Dictionary<string, (int Index, Expected Expect)> _tagged = [];
    private readonly HashSet<string> _answered = [];
    private readonly string _userId;
    private readonly string _marker;
    private readonly FuzzStats _stats;
    private readonly TaskCompletionSource<bool> _markerAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lastAckIndex = -1;
    private long _lastAckSeq;

    public SessionOracle(Session session, string userId, string marker, FuzzStats stats)
    {
        for (var i = 0; i < session.Steps.Length; i++)
        {
            if (session.Steps[i].Expect is { } expect)
            {
                _tagged[expect.Tag] = (i, expect);
            }
        }

        (_userId, _marker, _stats) = (userId, marker, stats);
    }

    public List<string> Problems { get; } = [];

    public List<Ack> Acks { get; } = [];

    /// <summary>True once the marker's <c>unknown_type</c> came back; false if the stream ended first.</summary>
    public Task<bool> MarkerAnswered => _markerAnswered.Task;

    public IEnumerable<string> Unanswered => _tagged.Where(t => !_answered.Contains(t.Key)).OrderBy(t => t.Value.Index)
        .Select(t => $"step {t.Value.Index} ({t.Value.Expect}) got no answer");

    /// <summary>Reads until the server's close (or the drop); run alongside the sending.</summary>
    public async Task ReadAsync(RawWebSocket socket, CancellationToken ct)
    {
        try
        {
            await foreach (var text in socket.Texts.ReadAllAsync(ct))
            {
                Judge(text);
            }
        }
        finally
        {
            _markerAnswered.TrySetResult(false);
        }
    }

    private void Judge(string text)
    {
        JsonElement frame;
        try
        {
            using var document = JsonDocument.Parse(text);
            frame = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            Problem($"the server sent text that is not JSON: {Short(text)}");
            return;
        }

        var type = frame.ValueKind == JsonValueKind.Object && frame.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()! : null;
        if (type is null || !ServerTypes.Contains(type))
        {
            Problem($"the server sent a frame of no known type: {Short(text)}");
            return;
        }

        _stats.Count($"answer {type}");
        var clientMsgId = frame.TryGetProperty("clientMsgId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        switch (type)
        {
            case "error":
                var code = frame.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "(none)";
                _stats.Count($"error {code}");
                if (!ErrorCodes.Contains(code))
                {
                    Problem($"an error with a code outside docs/protocol.md §2.2: {Short(text)}");
                }
                else if (code == "unavailable")
                {
                    // A protocol code, but PostgreSQL and Redis are up: only a fault of the node's own earns it here.
                    Problem($"'unavailable' while PostgreSQL and Redis are up: {Short(text)}");
                }
                else if (clientMsgId is not null)
                {
                    OnAnswer(clientMsgId, code, text);
                }

                break;
            case "ack":
                if (clientMsgId is null || !TryReadAck(frame, clientMsgId, out var ack))
                {
                    Problem($"a malformed ack: {Short(text)}");
                    break;
                }

                Acks.Add(ack);
                OnAnswer(clientMsgId, null, text);
                if (_tagged.TryGetValue(clientMsgId, out var post))
                {
                    if (post.Index < _lastAckIndex || ack.Seq <= _lastAckSeq)
                    {
                        Problem($"the ack of step {post.Index} (seq {ack.Seq}) came after the ack of step {_lastAckIndex} (seq {_lastAckSeq})");
                    }

                    (_lastAckIndex, _lastAckSeq) = (Math.Max(_lastAckIndex, post.Index), Math.Max(_lastAckSeq, ack.Seq));
                }

                if (_tagged.ContainsKey(clientMsgId) && frame.GetProperty("duplicate").GetBoolean())
                {
                    Problem($"a first post was acked as a duplicate: {Short(text)}");
                }

                break;
            case "message" when clientMsgId is not null && _tagged.ContainsKey(clientMsgId) && !_answered.Contains(clientMsgId):
                Problem($"the sender's copy of a post came before its ack (docs/protocol.md §2.2): {Short(text)}");
                break;
        }
    }

    private void OnAnswer(string tag, string? code, string text)
    {
        if (tag == _marker)
        {
            if (code != "unknown_type")
            {
                Problem($"the end marker got {Short(text)}");
            }

            _markerAnswered.TrySetResult(true);
            return;
        }

        if (!_tagged.TryGetValue(tag, out var tagged))
        {
            return; // a clientMsgId of a free step
        }

        if (!_answered.Add(tag))
        {
            Problem($"step {tagged.Index} ({tagged.Expect}) was answered twice, now with {Short(text)}");
            return;
        }

        var expect = tagged.Expect;
        if (expect.IsAck ? code is not null : code is null || !expect.Codes.Contains(code))
        {
            Problem($"step {tagged.Index} expected {expect}, got {Short(text)}");
        }
    }

    private bool TryReadAck(JsonElement frame, string clientMsgId, out Ack ack)
    {
        ack = null!;
        if (!frame.TryGetProperty("id", out var id) || !id.TryGetInt64(out var messageId)
            || !frame.TryGetProperty("room", out var room) || room.ValueKind != JsonValueKind.String
            || !frame.TryGetProperty("seq", out var seq) || !seq.TryGetInt64(out var seqValue)
            || !frame.TryGetProperty("duplicate", out var duplicate) || duplicate.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return false;
        }

        ack = new Ack(messageId, room.GetString()!, seqValue, _userId, clientMsgId);
        return true;
    }

    private void Problem(string text) => Problems.Add(text);

    private static string Short(string text) => text.Length <= 300 ? text : text[..300] + $"… ({text.Length} chars)";
}
