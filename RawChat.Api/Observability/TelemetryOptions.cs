namespace RawChat.Api.Observability;

/// <summary>
/// Section <c>Telemetry</c>: OTLP export of the <c>RawChat</c> traces (<see cref="Core.Observability.ChatActivities"/>).
/// Off unless <see cref="OtlpEndpoint"/> is set; then no OpenTelemetry pipeline is built at all.
/// Metrics stay at <c>/metrics</c> either way.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    public const string Grpc = "grpc";
    public const string HttpProtobuf = "http/protobuf";

    /// <summary>
    /// The OTLP collector's address, e.g. <c>http://collector:4318</c> (http/protobuf) or
    /// <c>http://collector:4317</c> (grpc). With http/protobuf, <c>/v1/traces</c> is added unless
    /// the address ends with it. Empty: no traces are exported.
    /// </summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary><c>http/protobuf</c> or <c>grpc</c>.</summary>
    public string OtlpProtocol { get; set; } = HttpProtobuf;

    /// <summary>The <c>service.name</c> the traces carry.</summary>
    public string ServiceName { get; set; } = "rawchat";

    /// <summary>Why these settings cannot be used, or null.</summary>
    internal string? Problem() =>
        OtlpEndpoint.Length > 0 && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            ? "Telemetry:OtlpEndpoint must be an absolute http:// or https:// address, or empty"
        : OtlpProtocol is not (Grpc or HttpProtobuf) ? $"Telemetry:OtlpProtocol must be {HttpProtobuf} or {Grpc}"
        : string.IsNullOrWhiteSpace(ServiceName) ? "Telemetry:ServiceName must not be empty"
        : null;

    /// <summary>Where the exporter sends: for http/protobuf the full traces address, as the exporter wants it when set in code.</summary>
    internal Uri TracesEndpoint()
    {
        var endpoint = new Uri(OtlpEndpoint);
        if (OtlpProtocol == Grpc || endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal))
        {
            return endpoint;
        }

        var builder = new UriBuilder(endpoint);
        builder.Path = builder.Path.TrimEnd('/') + "/v1/traces";
        return builder.Uri;
    }
}
