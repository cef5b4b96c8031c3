using System.Diagnostics;

namespace RawChat.Core.Observability;

/// <summary>
/// The activities (trace spans) of a post's path, from the <c>RawChat</c> source: receive (the
/// post, from acceptance until it is answered) → commit (its writer batch, linked to every post in
/// it) → publish (Redis PUBLISH) and deliver (fan-out to this node's sockets), both children of
/// the receive. A node that gets the message from Redis starts its deliver as a trace of its own
/// (the envelope carries no trace context). Nothing is created unless something listens to the
/// source, so with tracing off each call is one check. None of these helpers leaves its activity
/// in <see cref="Activity.Current"/>: the loops that call them go on with whatever was current.
/// Tags hold the room name, seq and counts; never a token, user or message text.
/// </summary>
public static class ChatActivities
{
    public const string SourceName = "RawChat";

    public const string Receive = "rawchat.receive";
    public const string Commit = "rawchat.commit";
    public const string Publish = "rawchat.publish";
    public const string Deliver = "rawchat.deliver";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A post accepted for storage. A socket's post starts a trace of its own (<paramref name="newTrace"/>):
    /// the WebSocket request around it lasts as long as the connection. A post of the HTTP API is a child of its request.
    /// </summary>
    internal static Activity? StartReceive(string room, bool newTrace)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Start(Receive, newTrace ? ActivityKind.Server : ActivityKind.Internal, newTrace, links: null);
        activity?.SetTag("rawchat.room", room);
        return activity;
    }

    /// <summary>One writer batch: one transaction for many posts, so it is linked to each post rather than a child of one.</summary>
    internal static Activity? StartCommit<T>(List<T> posts, Func<T, Activity?> traceOf)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>(posts.Count);
        foreach (var post in posts)
        {
            if (traceOf(post) is { } trace)
            {
                links.Add(new ActivityLink(trace.Context));
            }
        }

        var activity = Start(Commit, ActivityKind.Client, newTrace: true, links);
        activity?.SetTag("rawchat.batch.size", posts.Count);
        return activity;
    }

    /// <summary>A Redis PUBLISH, a child of the current activity (the post being answered).</summary>
    internal static Activity? StartPublish(string room, long seq) => StartChild(Publish, ActivityKind.Producer, room, seq);

    /// <summary>A fan-out to this node's sockets, a child of the current activity (a local post's receive) if any.</summary>
    internal static Activity? StartDeliver(string room, long seq) => StartChild(Deliver, ActivityKind.Consumer, room, seq);

    /// <summary>Ends <paramref name="activity"/>, leaving <see cref="Activity.Current"/> as it was.</summary>
    internal static void Stop(Activity? activity, string? error = null)
    {
        if (activity is null)
        {
            return;
        }

        if (error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error);
        }

        var current = Activity.Current;
        activity.Stop(); // sets Activity.Current to the activity's parent
        Activity.Current = current;
    }

    /// <summary>Makes <paramref name="activity"/> current until the scope ends (nothing at all when it is null).</summary>
    internal static CurrentScope Enter(Activity? activity) => activity is null ? default : new(activity);

    /// <summary>
    /// No current activity until the scope ends, when something traces: a delivery from Redis is no
    /// part of whatever request happened to subscribe the room.
    /// </summary>
    internal static CurrentScope EnterNone() =>
        Activity.Current is not null && Source.HasListeners() ? new(null) : default;

    private static Activity? StartChild(string name, ActivityKind kind, string room, long seq)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Start(name, kind, newTrace: false, links: null);
        activity?.SetTag("rawchat.room", room);
        activity?.SetTag("rawchat.seq", seq);
        return activity;
    }

    private static Activity? Start(string name, ActivityKind kind, bool newTrace, IEnumerable<ActivityLink>? links)
    {
        var current = Activity.Current;
        if (newTrace)
        {
            Activity.Current = null; // a default parent context means "the current activity"
        }

        var activity = Source.StartActivity(name, kind, parentContext: default, tags: null, links: links);
        Activity.Current = current;
        return activity;
    }

    internal readonly struct CurrentScope : IDisposable
    {
        private readonly Activity? _previous;
        private readonly bool _entered;

        public CurrentScope(Activity? activity)
        {
            _previous = Activity.Current;
            _entered = true;
            Activity.Current = activity;
        }

        public void Dispose()
        {
            if (_entered)
            {
                Activity.Current = _previous;
            }
        }
    }
}
