using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NUnit.Framework;
using RawChat.Api;
using RawChat.Core.Auth;
using RawChat.Core.Chat;
using YamlDotNet.RepresentationModel;

namespace RawChat.Tests.Deployment;

/// <summary>
/// No Docker engine runs here, so check what can be checked without one: that the Dockerfile,
/// docker-compose.yml and deploy/nginx.conf agree with the project and with each other — paths,
/// the published assembly, ports, settings, the load balancer's upstreams and the health check.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Root = FindRepositoryRoot();
    private static readonly string[] Dockerfile = File.ReadAllLines(Path.Combine(Root, "Dockerfile"));
    private static readonly string Nginx = File.ReadAllText(Path.Combine(Root, "deploy", "nginx.conf"));
    private static readonly YamlMappingNode Compose = LoadCompose();

    // ---- Dockerfile ---------------------------------------------------------------------------------

    [Test]
    public void Every_path_the_Dockerfile_copies_from_the_build_context_exists()
    {
        var copies = Instructions("COPY").Where(args => !args.StartsWith("--from", StringComparison.Ordinal)).ToList();
        Assert.That(copies, Is.Not.Empty);
        foreach (var args in copies)
        {
            var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[..^1])
            {
                var path = Path.Combine(Root, source.TrimEnd('/'));
                Assert.That(source.EndsWith('/') ? Directory.Exists(path) : File.Exists(path), Is.True, $"COPY {source}: not in the repository");
            }
        }
    }

    [Test]
    public void Dockerfile_publishes_and_starts_the_Api_assembly()
    {
        var assembly = typeof(ChatServer).Assembly.GetName().Name + ".dll";
        var project = XDocument.Load(Path.Combine(Root, "RawChat.Api", "RawChat.Api.csproj"));
        var assemblyName = project.Descendants("AssemblyName").Select(e => e.Value).FirstOrDefault() ?? "RawChat.Api";

        Assert.That(assemblyName + ".dll", Is.EqualTo(assembly));
        Assert.That(Instructions("RUN").Any(r => r.Contains("dotnet publish RawChat.Api/RawChat.Api.csproj -c Release", StringComparison.Ordinal)),
            Is.True, "a Release publish of the Api project");
        Assert.That(Instructions("ENTRYPOINT").Single(), Is.EqualTo($"[\"dotnet\", \"{assembly}\"]"));
    }

    [Test]
    public void Final_image_is_the_aspnet_runtime_of_the_projects_framework_without_the_sdk()
    {
        var targetFramework = XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var version = targetFramework.Replace("net", "", StringComparison.Ordinal);
        var stages = Instructions("FROM").ToList();

        Assert.That(stages[0], Does.Contain($"mcr.microsoft.com/dotnet/sdk:{version}"));
        Assert.That(stages[^1], Does.StartWith($"mcr.microsoft.com/dotnet/aspnet:{version} "));
        Assert.That(Instructions("RUN").Any(r => Regex.IsMatch(r, "PublishTrimmed=true", RegexOptions.IgnoreCase)), Is.False,
            "full trimming breaks Dapper and DbUp; the Dockerfile says why it is off");
    }

    [Test]
    public void Final_image_runs_as_a_non_root_user_with_a_healthz_health_check()
    {
        var finalStage = FinalStage().ToList();
        var user = finalStage.Where(l => l.StartsWith("USER ", StringComparison.Ordinal)).Select(l => l[5..].Trim()).LastOrDefault();
        Assert.That(user, Is.Not.Null.And.Not.EqualTo("root").And.Not.EqualTo("0"), "USER in the final stage");

        var healthcheck = string.Join(" ", finalStage.Where(l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal)));
        Assert.That(healthcheck, Does.Contain("GET /healthz "));
        Assert.That(healthcheck, Does.Contain($"/dev/tcp/127.0.0.1/{ImagePort()}"), "the health check asks the port the node listens on");
    }

    [Test]
    public void Exposed_port_is_the_one_the_image_and_the_compose_nodes_listen_on()
    {
        var exposed = int.Parse(Instructions("EXPOSE").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(ImagePort(), Is.EqualTo(exposed), "ENV Urls");
        foreach (var (name, service) in ApiServices())
        {
            Assert.That(PortOf(EnvironmentOf(service)["Urls"]), Is.EqualTo(exposed), $"{name}: Urls");
            Assert.That(Strings(service, "expose"), Is.EqualTo(new[] { exposed.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
                $"{name}: expose");
        }
    }

    // ---- docker-compose.yml -------------------------------------------------------------------------

    [Test]
    public void Compose_runs_postgres_redis_two_nodes_and_a_load_balancer()
    {
        var services = Services().Select(s => s.Name).ToList();
        Assert.That(services, Is.SupersetOf(new[] { "postgres", "redis", "lb" }));
        Assert.That(ApiServices().Count(), Is.EqualTo(2));
    }

    [Test]
    public void Every_environment_key_of_a_node_binds_to_a_setting_that_exists()
    {
        var sections = typeof(ChatServer).Assembly.GetTypes().Concat(typeof(JwtOptions).Assembly.GetTypes())
            .Select(t => (Type: t, Section: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(x => x.Section is not null)
            .ToDictionary(x => x.Section!, x => x.Type, StringComparer.OrdinalIgnoreCase);
        Assert.That(sections.Keys, Is.SupersetOf(new[] { "ConnectionStrings", "Jwt", "Chat", "Fanout" }));

        foreach (var (name, service) in ApiServices())
        {
            var keys = EnvironmentOf(service).Keys.ToList();
            Assert.That(keys, Is.SupersetOf(new[] { "ConnectionStrings__Postgres", "ConnectionStrings__Redis", "Jwt__Secret", "Urls" }), name);
            foreach (var key in keys.Where(k => k != "Urls"))
            {
                var path = key.Split("__");
                Assert.That(sections.TryGetValue(path[0], out var options), Is.True, $"{name}: {key} names no settings section");
                var property = options!.GetProperty(path[1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                Assert.That(property, Is.Not.Null, $"{name}: {key}: {options.Name} has no {path[1]}");
                Assert.That(path.Length == 2 || (path.Length == 3 && property!.PropertyType.IsArray && int.TryParse(path[2], out _)),
                    Is.True, $"{name}: {key}: only a list setting takes an index");
            }
        }
    }

    [Test]
    public void Nodes_wait_for_healthy_postgres_and_redis_and_the_load_balancer_for_healthy_nodes()
    {
        foreach (var (name, service) in ApiServices())
        {
            Assert.That(Conditions(service), Is.EquivalentTo(new[] { ("postgres", "service_healthy"), ("redis", "service_healthy") }), name);
        }

        Assert.That(Conditions(Service("lb")), Is.EquivalentTo(ApiServices().Select(s => (s.Name, "service_healthy"))));
    }

    [Test]
    public void Load_balancer_publishes_one_port_8080_and_mounts_deploy_nginx_conf()
    {
        var lb = Service("lb");
        Assert.That(Strings(lb, "ports"), Is.EqualTo(new[] { "8080:8080" }));
        Assert.That(Strings(lb, "volumes"), Is.EqualTo(new[] { "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" }));
        Assert.That(File.Exists(Path.Combine(Root, "deploy", "nginx.conf")), Is.True);
        Assert.That(Nginx, Does.Match(@"\blisten 8080;"));
        foreach (var (name, service) in Services().Where(s => s.Name != "lb"))
        {
            Assert.That(service.Children.ContainsKey("ports"), Is.False, $"{name} publishes a port: only the load balancer should");
        }
    }

    // ---- deploy/nginx.conf --------------------------------------------------------------------------

    [Test]
    public void Nginx_upstream_is_every_node_at_the_port_it_listens_on()
    {
        var upstream = NginxBlock("upstream rawchat");
        var servers = ServerLine().Matches(upstream).Select(m => (m.Groups["host"].Value, int.Parse(m.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.That(servers, Is.EquivalentTo(ApiServices().Select(s => (s.Name, PortOf(EnvironmentOf(s.Service)["Urls"])))));
        Assert.That(Nginx, Does.Contain("proxy_pass http://rawchat;"));
    }

    [Test]
    public void Nginx_passes_websocket_upgrades_and_keeps_idle_sockets_open()
    {
        var ws = NginxBlock("location /ws/");
        Assert.That(ws, Does.Contain("proxy_http_version 1.1;"));
        Assert.That(ws, Does.Contain("proxy_set_header Upgrade $http_upgrade;"));
        Assert.That(ws, Does.Contain("proxy_set_header Connection \"upgrade\";"));
        var timeout = Regex.Match(ws, @"proxy_read_timeout (\d+)s;");
        Assert.That(timeout.Success, Is.True, "proxy_read_timeout");
        Assert.That(int.Parse(timeout.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            Is.GreaterThan(10 * new ChatOptions().KeepAliveSeconds), "far longer than the keep-alive interval");
    }

    [Test]
    public void Nginx_never_logs_the_query_string_where_tokens_travel()
    {
        foreach (Match format in Regex.Matches(Nginx, @"log_format\s+\w+(?<body>[^;]*);"))
        {
            Assert.That(format.Groups["body"].Value, Does.Not.Match(@"\$(request|request_uri|args|query_string|arg_token)\b"));
        }

        Assert.That(Regex.Matches(Nginx, @"access_log\s+(?<target>[^;]+);").Select(m => m.Groups["target"].Value.Trim()),
            Has.All.Match(@"\s+rawchat$|^off$"), "every access_log uses the format without the query string");

        // The error log has no format: each line about a request quotes its request line as received.
        Assert.That(Regex.Matches(NginxBlock("location /ws/"), @"error_log\s+\S+\s+(?<level>\w+);").Select(m => m.Groups["level"].Value),
            Is.EqualTo(new[] { "emerg" }), "the /ws/ location logs errors at emerg only (NginxProxyTests shows why)");
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RawChat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RawChat.sln not found above the test assembly");
    }

    /// <summary>The arguments of each instruction, continuation lines joined.</summary>
    private static IEnumerable<string> Instructions(string keyword, IEnumerable<string>? lines = null) =>
        Joined(lines ?? Dockerfile).Where(l => l.StartsWith(keyword + " ", StringComparison.Ordinal)).Select(l => l[(keyword.Length + 1)..].Trim());

    private static IEnumerable<string> Joined(IEnumerable<string> lines)
    {
        var current = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            current += line.EndsWith('\\') ? line[..^1] + " " : line;
            if (!line.EndsWith('\\'))
            {
                yield return Regex.Replace(current, @"\s+", " ");
                current = "";
            }
        }
    }

    private static IEnumerable<string> FinalStage()
    {
        var lines = Joined(Dockerfile).ToList();
        return lines.Skip(lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal)));
    }

    private static int ImagePort()
    {
        var urls = FinalStage().Single(l => l.StartsWith("ENV Urls=", StringComparison.Ordinal))["ENV Urls=".Length..];
        return PortOf(urls);
    }

    private static int PortOf(string url) => new Uri(url).Port;

    private static YamlMappingNode LoadCompose()
    {
        using var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml"));
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<(string Name, YamlMappingNode Service)> Services() =>
        ((YamlMappingNode)Compose["services"]).Children.Select(c => (((YamlScalarNode)c.Key).Value!, Merged((YamlMappingNode)c.Value)));

    private static YamlMappingNode Service(string name) => Services().Single(s => s.Name == name).Service;

    /// <summary>The RawChat nodes: the services built from this repository's Dockerfile.</summary>
    private static IEnumerable<(string Name, YamlMappingNode Service)> ApiServices() =>
        Services().Where(s => s.Service.Children.TryGetValue("build", out var build) && ((YamlScalarNode)build).Value == ".");

    /// <summary>Applies YAML merge keys (<c>&lt;&lt;: *api</c>), which the representation model leaves as they are.</summary>
    private static YamlMappingNode Merged(YamlMappingNode node)
    {
        var merged = new YamlMappingNode();
        if (node.Children.TryGetValue("<<", out var template))
        {
            foreach (var (key, value) in ((YamlMappingNode)template).Children)
            {
                merged.Children[key] = value;
            }
        }

        foreach (var (key, value) in node.Children.Where(c => ((YamlScalarNode)c.Key).Value != "<<"))
        {
            merged.Children[key] = value;
        }

        return merged;
    }

    private static Dictionary<string, string> EnvironmentOf(YamlMappingNode service) =>
        ((YamlMappingNode)service["environment"]).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!);

    private static string[] Strings(YamlMappingNode service, string key) =>
        service.Children.TryGetValue(key, out var list) ? [.. ((YamlSequenceNode)list).Children.Select(n => ((YamlScalarNode)n).Value!)] : [];

    private static IEnumerable<(string Service, string Condition)> Conditions(YamlMappingNode service) =>
        ((YamlMappingNode)service["depends_on"]).Children.Select(c =>
            (((YamlScalarNode)c.Key).Value!, ((YamlScalarNode)((YamlMappingNode)c.Value)["condition"]).Value!));

    /// <summary>The text between the braces of the nginx block that starts with <paramref name="header"/>.</summary>
    private static string NginxBlock(string header)
    {
        var start = Nginx.IndexOf(header + " {", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"nginx.conf has no '{header}' block");
        var open = Nginx.IndexOf('{', start);
        var depth = 0;
        for (var i = open; i < Nginx.Length; i++)
        {
            depth += Nginx[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return Nginx[(open + 1)..i];
            }
        }

        throw new InvalidOperationException($"unbalanced braces after '{header}'");
    }

    [GeneratedRegex(@"^\s*server\s+(?<host>[A-Za-z0-9_.-]+):(?<port>\d+)\b", RegexOptions.Multiline)]
    private static partial Regex ServerLine();
}
