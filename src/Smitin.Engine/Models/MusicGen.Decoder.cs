using Smitin.Generation;
using Smitin.IO;
using Smitin.Models.Decoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Models;

public sealed partial class MusicGen
{
    MusicGenLm? _decoder;

    /// <summary>The decoder language model (keys <c>decoder.*</c>).</summary>
    public MusicGenLm Decoder => Require(_decoder, MusicGenParts.Decoder, "decoder");

    /// <summary>A generation loop over this model's decoder (tensor-driven: text memory, prompt codes).</summary>
    public CodeGenerator CreateCodeGenerator() =>
        new(Decoder, Config.DecoderStartTokenId, Config.AudioEncoder.FrameRate, Config.GuidanceScale);
}
