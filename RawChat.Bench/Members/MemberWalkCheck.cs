using RawChat.Bench.Reporting;

namespace RawChat.Bench.Members;

/// <summary>
/// Checks one walk through a room's member list, page by page, against the user ids that must be in it
/// (docs/protocol.md §14.3): every id exactly once, in byte (ordinal) order, no page over the limit,
/// every page but the last one full and with <c>hasMore</c> true, the last one with <c>hasMore</c> false.
/// </summary>
internal sealed class MemberWalkCheck
{
    private readonly string[] _expected;
    private readonly int _limit;
    private readonly int _maxPages;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private string _after = "";
    private string? _last;
    private long _pages, _listed, _duplicates, _unexpected, _outOfOrder, _wrongHasMore, _shortPages, _overLimit;
    private bool _ended;
    private bool _finished;

    /// <param name="expectedSorted">The ids the list must hold, sorted with <see cref="StringComparer.Ordinal"/>.</param>
    public MemberWalkCheck(string[] expectedSorted, int limit)
    {
        _expected = expectedSorted;
        _limit = limit;
        // A server that never says hasMore false must not keep a walk going forever.
        _maxPages = (expectedSorted.Length / limit) + 100;
    }

    /// <summary>The <c>after</c> of the next page to ask for ("" for the first).</summary>
    public string After => _after;

    /// <summary>
    /// Takes the next page. Returns true when the walk goes on (ask for the page after <see cref="After"/>);
    /// false when it ended: <c>hasMore</c> false, or a page it cannot go on from (empty yet "more"), or far too many pages.
    /// </summary>
    public bool Take(IReadOnlyList<string> userIds, bool hasMore)
    {
        if (_ended)
        {
            throw new InvalidOperationException("the walk has ended");
        }

        _pages++;
        if (userIds.Count > _limit)
        {
            _overLimit++;
        }

        foreach (var id in userIds)
        {
            _listed++;
            if (_last is not null && string.CompareOrdinal(id, _last) <= 0)
            {
                _outOfOrder++;
            }

            _last = id;
            if (!_seen.Add(id))
            {
                _duplicates++;
            }
            else if (Array.BinarySearch(_expected, id, StringComparer.Ordinal) < 0)
            {
                _unexpected++;
            }
        }

        // hasMore must say whether ids remain after this page's last one (after the page's `after` if it is empty).
        var boundary = userIds.Count > 0 ? userIds[^1] : _after;
        var more = CountAfter(boundary) > 0;
        if (hasMore != more)
        {
            _wrongHasMore++;
        }

        if (hasMore && userIds.Count < _limit)
        {
            _shortPages++;
        }

        if (!hasMore || userIds.Count == 0 || _pages >= _maxPages)
        {
            _ended = true;
            _finished = !hasMore;
            return false;
        }

        _after = userIds[^1];
        return true;
    }

    /// <summary>What the walk found; <paramref name="aborted"/>: it stopped early (an HTTP failure), not on hasMore false.</summary>
    public WalkCheck Result(bool aborted = false)
    {
        var missing = _expected.Length - (_seen.Count - _unexpected);
        var unfinished = aborted || !_finished ? 1 : 0;
        var complete = unfinished == 0 && missing == 0 && _duplicates == 0 && _unexpected == 0 && _outOfOrder == 0
            && _wrongHasMore == 0 && _shortPages == 0 && _overLimit == 0;
        return new WalkCheck(1, complete ? 1 : 0, _pages, _listed, missing, _duplicates, _unexpected, _outOfOrder,
            _wrongHasMore, _shortPages, _overLimit, unfinished);
    }

    private int CountAfter(string boundary)
    {
        // The index of the first expected id above the boundary.
        int lo = 0, hi = _expected.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(_expected[mid], boundary) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return _expected.Length - lo;
    }
}
