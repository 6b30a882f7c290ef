using Smitin.IO;
using Smitin.Models;
using Smitin.Models.Decoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Support;

/// <summary>
/// The fixture's decoder LM (loaded once per test class through the public loader) and its reference tensors.
/// Only the decoder is loaded, so these tests do not need the text encoder or the codec.
/// </summary>
public sealed class DecoderFixture : IDisposable
{
    public MusicGenConfig Config { get; }
    public MusicGenLm Lm { get; }
    public SafeTensorsFile Reference { get; }

    public DecoderFixture()
    {
        Native.TorchRuntime.Ensure();
        // The fixture's decoder is tiny: one intra-op thread avoids OpenMP/BLAS synchronisation that makes tiny ops
        // slow on a loaded 2-core machine. The reference decoder tensors are identical at 1 and 2 threads (README).
        torch.set_num_threads(1);
        string folder = Fixture.Model();
        Config = MusicGenConfig.Load(folder);
        using var ckpt = Checkpoint.Open(folder);
        Lm = MusicGenLm.Load(ckpt, Config.Decoder);
        Reference = Fixture.Reference();
    }

    /// <summary>A reference tensor (caller disposes).</summary>
    public Tensor Ref(string name) => Reference.Read(name);

    public int Pad => Config.DecoderStartTokenId;

    public void Dispose()
    {
        Lm.Dispose();
        Reference.Dispose();
    }
}
