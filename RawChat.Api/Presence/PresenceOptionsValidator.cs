using Microsoft.Extensions.Options;
using RawChat.Core.Presence;

namespace RawChat.Api.Presence;

/// <summary>The <c>[Range]</c>/<c>[Required]</c> attributes and cross-field rules of <see cref="PresenceOptions"/>, generated.</summary>
[OptionsValidator]
internal sealed partial class PresenceOptionsValidator : IValidateOptions<PresenceOptions>;
