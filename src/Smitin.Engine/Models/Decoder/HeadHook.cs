using static TorchSharp.torch;

namespace Smitin.Models.Decoder;

/// <summary>
/// Reads or replaces the per-head attention output of one layer. <paramref name="z"/> is (B, T, H, Dh), the input of
/// <c>out_proj</c> split per head; it is a view that lives until the end of the current dispose scope: clone/detach
/// anything kept. Return null to leave it unchanged, or a tensor of the same shape to replace it.
/// </summary>
public delegate Tensor? HeadHook(int layer, Tensor z, HookContext context);
