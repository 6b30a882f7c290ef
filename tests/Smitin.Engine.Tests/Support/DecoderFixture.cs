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
        torch.set_num_threads(2);
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
