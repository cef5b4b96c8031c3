using System.Text.RegularExpressions;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Deployment;

/// <summary>
/// The code's shape, as a newcomer reads it: a folder (namespace) that uses another is never used
/// back by it, directly or around a longer loop, and Core shows Api only what is public.
/// </summary>
public sealed partial class FolderDependencyTests
{
    [TestCase("RawChat.Api")]
    [TestCase("RawChat.Core")]
    public void No_folder_depends_on_a_folder_that_depends_back_on_it(string project)
    {
        var uses = NamespaceUses(Path.Combine(NodeTools.RepositoryRoot, project));

        Assert.That(uses.Keys, Has.Count.GreaterThan(5), "the scan found the project's folders");
        Assert.That(Cycles(uses), Is.Empty, "folders that depend on each other (each list is one loop)");
    }

    [Test]
    public void Core_shows_its_internals_to_its_tests_only()
    {
        var project = File.ReadAllText(Path.Combine(NodeTools.RepositoryRoot, "RawChat.Core", "RawChat.Core.csproj"));

        Assert.That(InternalsVisibleTo().Matches(project).Select(m => m.Groups[1].Value), Is.EquivalentTo(new[] { "RawChat.Tests" }));
    }

    [Test]
    public void The_scan_finds_a_loop_when_there_is_one()
    {
        var uses = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };

        Assert.That(Cycles(uses), Has.One.EquivalentTo(new[] { "A", "B", "C" }));
    }

    /// <summary>Namespace → the RawChat namespaces its files name in <c>using</c> lines.</summary>
    private static Dictionary<string, HashSet<string>> NamespaceUses(string projectDirectory)
    {
        var uses = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var sources = Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        foreach (var file in sources)
        {
            var text = File.ReadAllText(file);
            if (Namespace().Match(text) is not { Success: true } declared)
            {
                continue;
            }

            var own = declared.Groups[1].Value;
            if (!uses.TryGetValue(own, out var set))
            {
                uses[own] = set = [];
            }

            foreach (Match used in Using().Matches(text))
            {
                var other = used.Groups[1].Value;
                if (other != own && !own.StartsWith(other + ".", StringComparison.Ordinal))
                {
                    set.Add(other);
                }
            }
        }

        return uses;
    }

    /// <summary>The strongly connected groups of more than one namespace (Tarjan's algorithm).</summary>
    private static List<List<string>> Cycles(Dictionary<string, HashSet<string>> uses)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var cycles = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var next in uses.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    group.Add(member);
                }
                while (member != node);

                if (group.Count > 1)
                {
                    cycles.Add(group);
                }
            }
        }

        foreach (var node in uses.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return cycles;
    }

    [GeneratedRegex(@"^namespace (RawChat[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^using (RawChat[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex Using();

    [GeneratedRegex(@"<InternalsVisibleTo Include=""([^""]+)""")]
    private static partial Regex InternalsVisibleTo();
}
