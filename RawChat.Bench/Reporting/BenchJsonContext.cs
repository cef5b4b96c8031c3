using System.Text.Json.Serialization;
using RawChat.Bench.Reporting;

namespace RawChat.Bench;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(MembersReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
