using System.ComponentModel.DataAnnotations;

namespace RawChat.Core.Presence;

/// <summary>Presence settings (section <c>Presence</c>). Every node of a deployment must use the same.</summary>
public sealed class PresenceOptions : IValidatableObject
{
    public const string SectionName = "Presence";

    /// <summary>How long a node's presence entries live in Redis without a heartbeat (a crashed node's users go after it).</summary>
    [Range(2, 3600)]
    public int TtlSeconds { get; set; } = 30;

    /// <summary>How often each node refreshes its entries and sweeps expired ones; well below <see cref="TtlSeconds"/>.</summary>
    [Range(1, 1800)]
    public int HeartbeatSeconds { get; set; } = 10;

    /// <summary>Prefix of the per-room sorted sets: <c>{prefix}{room}</c>.</summary>
    [Required]
    public string KeyPrefix { get; set; } = "rawchat:presence:";

    /// <summary>Prefix of the per-room channels carrying presence events and typing: <c>{prefix}{room}</c>.</summary>
    [Required]
    public string EventChannelPrefix { get; set; } = "rawchat:presence-events:";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TtlSeconds < 2 * HeartbeatSeconds)
        {
            yield return new ValidationResult("Presence:TtlSeconds must be at least twice Presence:HeartbeatSeconds");
        }
    }
}
