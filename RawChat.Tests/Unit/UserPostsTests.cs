using NUnit.Framework;
using RawChat.Core.Quotas;

namespace RawChat.Tests.Unit;

/// <summary>
/// One user's posting count on one node (<see cref="UserPosts"/>): local posts count at once, the
/// other nodes' as each flush reports the window's total, and a new window starts afresh.
/// </summary>
public sealed class UserPostsTests
{
    private const int Budget = 5;

    [Test]
    public void Posts_on_this_node_count_at_once_and_each_user_is_queued_once_per_flush()
    {
        var posts = new UserPosts("u", 0);
        var queued = new List<bool>();
        for (var i = 0; i < Budget; i++)
        {
            Assert.That(posts.TryTake(1, Budget, out var queue), Is.True);
            queued.Add(queue);
        }

        Assert.That(posts.TryTake(1, Budget, out _), Is.False);
        Assert.That(queued, Is.EqualTo(new[] { true, false, false, false, false }));
    }

    [Test]
    public void Total_reported_by_a_flush_counts_the_other_nodes_posts_and_this_nodes_only_once()
    {
        var posts = new UserPosts("u", 0);
        posts.TryTake(7, Budget, out _);
        posts.TryTake(7, Budget, out _);
        Assert.That(posts.TryBeginFlush(out var window, out var count), Is.True);
        Assert.That((window, count), Is.EqualTo((7L, 2)));

        posts.Confirm(7, 2, total: 4); // another node posted 2 meanwhile

        Assert.That(posts.TryBeginFlush(out _, out _), Is.False, "nothing new to add");
        Assert.That(posts.TryTake(7, Budget, out _), Is.True, "4 of 5 used");
        Assert.That(posts.TryTake(7, Budget, out _), Is.False);
    }

    [Test]
    public void Posts_a_failed_flush_did_not_add_are_added_by_the_next_and_still_count_meanwhile()
    {
        var posts = new UserPosts("u", 0);
        posts.TryTake(3, Budget, out _);
        posts.TryBeginFlush(out _, out _);
        Assert.That(posts.Requeue(), Is.True, "queued again after the failure");

        posts.TryTake(3, Budget, out var queue);

        Assert.That(queue, Is.False, "already queued");
        Assert.That(posts.TryBeginFlush(out _, out var count), Is.True);
        Assert.That(count, Is.EqualTo(2));
    }

    [Test]
    public void New_window_starts_with_the_whole_budget_and_an_answer_about_the_old_one_is_ignored()
    {
        var posts = new UserPosts("u", 0);
        for (var i = 0; i < Budget; i++)
        {
            posts.TryTake(1, Budget, out _);
        }

        posts.TryBeginFlush(out _, out _);
        Assert.That(posts.TryTake(2, Budget, out _), Is.True);
        posts.Confirm(1, Budget, total: 100);

        for (var i = 1; i < Budget; i++)
        {
            Assert.That(posts.TryTake(2, Budget, out _), Is.True);
        }

        Assert.That(posts.TryTake(2, Budget, out _), Is.False);
    }

    [Test]
    public void Entry_is_retired_only_without_connections_and_after_its_window()
    {
        var posts = new UserPosts("u", 0);
        Assert.That(posts.TryAttach(), Is.True);
        posts.TryTake(5, Budget, out _);
        Assert.That(posts.TryRetire(6), Is.Null, "a connection holds it");

        Assert.That(posts.Detach(), Is.True);
        Assert.That(posts.TryRetire(5), Is.False, "its window still runs");
        Assert.That(posts.TryRetire(6), Is.True);
        Assert.That(posts.TryAttach(), Is.False, "a retired entry is replaced, not reused");
    }

    [TestCase("42", 3)]
    [TestCase("alice", 7)]
    [TestCase("user-7", 14)]
    public void Bucket_of_a_user_is_pinned_so_nodes_of_every_version_agree(string userId, int bucket)
    {
        Assert.That(PostCountStore.BucketOf(userId), Is.EqualTo(bucket));
    }

    [Test]
    public void Users_spread_over_every_bucket()
    {
        Assert.That(Enumerable.Range(0, 1000).Select(i => PostCountStore.BucketOf($"user-{i}")).Distinct().Count(),
            Is.EqualTo(PostCountStore.Buckets));
    }
}
