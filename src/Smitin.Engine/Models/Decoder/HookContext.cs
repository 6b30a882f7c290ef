using Smitin.Generation;

namespace Smitin.Models.Decoder;

/// <summary>What a head hook knows about the forward pass it runs in.</summary>
/// <param name="PastLength">absolute position of the first query of this forward (cached positions before it)</param>
/// <param name="QueryLength">positions T processed by this forward</param>
/// <param name="Generation">the generation step, or null outside generation (teacher forcing, probing)</param>
public sealed record HookContext(int PastLength, int QueryLength, GenerationContext? Generation);
