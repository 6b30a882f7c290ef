namespace Smitin.Models.Decoder;

/// <summary>Why a <see cref="DecodeKernelChoice"/> was made.</summary>
public enum DecodeKernelReason
{
    /// <summary>Timed in this process (<see cref="DecodeKernelChoice.Milliseconds"/> holds the figures).</summary>
    Measured,
    /// <summary>Read from the per-CPU cache file, timed earlier on this CPU model (the figures are the earlier ones).</summary>
    Cached,
    /// <summary>Set by <c>SMITIN_DECODE_KERNEL</c> or <see cref="MusicGenLoadOptions.DecodeKernel"/>; nothing timed.</summary>
    Override,
}
