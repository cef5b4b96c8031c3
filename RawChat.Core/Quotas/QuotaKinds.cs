namespace RawChat.Core.Quotas;

/// <summary>The quota a metric is about: the only values of its <c>quota</c> label.</summary>
public static class QuotaKinds
{
    public const string Connections = "connections";
    public const string Posts = "posts";
}
