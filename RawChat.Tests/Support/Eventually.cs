using NUnit.Framework;
using NUnit.Framework.Constraints;

namespace RawChat.Tests.Support;

/// <summary>Polls a condition until it holds or a generous timeout passes (for state with no event to await).</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Observes a value until it satisfies <paramref name="expected"/>; on timeout the test fails with
    /// <paramref name="what"/>, the expectation and the last value seen. Returns that satisfying value.
    /// </summary>
    public static async Task<T> ThatAsync<T>(Func<Task<T>> observe, IResolveConstraint expected, string what, TimeSpan? timeout = null)
    {
        var constraint = expected.Resolve();
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await observe();
            if (constraint.ApplyTo(value).IsSuccess)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.That(value, constraint, $"{what}, still not so after {limit.TotalSeconds:0.#} s (the last value seen)");
                return value;
            }

            await Task.Delay(25);
        }
    }

    /// <inheritdoc cref="ThatAsync{T}(Func{Task{T}}, IResolveConstraint, string, TimeSpan?)"/>
    public static Task<T> ThatAsync<T>(Func<T> observe, IResolveConstraint expected, string what, TimeSpan? timeout = null) =>
        ThatAsync(() => Task.FromResult(observe()), expected, what, timeout);

    /// <summary>
    /// True once <paramref name="condition"/> holds, false at the timeout. Prefer <see cref="ThatAsync{T}(Func{Task{T}}, IResolveConstraint, string, TimeSpan?)"/>
    /// in an assertion: its failure shows the last value seen, where this one only says "false".
    /// </summary>
    public static async Task<bool> HoldsAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(25);
        }
    }
}
