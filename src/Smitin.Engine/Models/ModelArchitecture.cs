using System.Text.Json;
using Smitin.IO;

namespace Smitin.Models;

/// <summary>
/// Which checkpoint architectures this engine implements, and the refusal of every other one. The single place to
/// extend when an architecture gains support (e.g. MusicGen Melody, <c>musicgen_melody</c> /
/// <c>MusicgenMelodyForConditionalGeneration</c>, Hugging Face <c>modeling_musicgen_melody.py</c>).
/// Read from <c>config.json</c>'s <c>model_type</c> and <c>architectures</c> (Hugging Face <c>PretrainedConfig</c>),
/// and checked again on the weights (a decoder without cross-attention is not text-conditioned MusicGen).
/// </summary>
public static class ModelArchitecture
{
    /// <summary>The <c>model_type</c> implemented: text-conditioned MusicGen (<c>MusicgenForConditionalGeneration</c>).</summary>
    public const string MusicGen = "musicgen";
    /// <summary>The <c>architectures</c> entry of <see cref="MusicGen"/>.</summary>
    public const string MusicGenClass = "MusicgenForConditionalGeneration";

    /// <summary>model_type → what it is, for the refusal messages of known but unimplemented architectures.</summary>
    static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["musicgen_melody"] = "MusicGen Melody (MusicgenMelodyForConditionalGeneration: text and chroma prepended to the decoder input, no cross-attention)",
        ["musicgen_decoder"] = "a bare MusicGen decoder (MusicgenForCausalLM: no text encoder, no audio codec)",
        ["musicgen_melody_decoder"] = "a bare MusicGen Melody decoder (MusicgenMelodyForCausalLM)",
    };

    /// <summary>What the engine supports, for messages.</summary>
    public const string Supported = "model_type 'musicgen' (MusicgenForConditionalGeneration: facebook/musicgen-small, -medium, -large, -stereo-small/-medium/-large, or a folder in that layout)";

    /// <summary>Throws unless <c>config.json</c>'s <c>model_type</c> / <c>architectures</c> name text-conditioned MusicGen.
    /// A config with neither field is accepted (hand-written configs; the weights are checked at load).</summary>
    /// <param name="root">the parsed <c>config.json</c></param>
    /// <param name="file">its path, for messages</param>
    /// <exception cref="SmitinException">another architecture: the message names it and what is supported</exception>
    public static void Check(JsonElement root, string file)
    {
        string? modelType = root.TryGetProperty("model_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var classes = root.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        if (modelType is not null && modelType != MusicGen)
            throw new SmitinException($"{file}: model_type '{modelType}'{Describe(modelType, classes)} is not implemented; Smitin supports {Supported}");
        var other = classes.Where(c => c != MusicGenClass).ToList();
        if (other.Count > 0)
            throw new SmitinException($"{file}: architectures [{string.Join(", ", other)}] is not implemented; Smitin supports {Supported}");
    }

    /// <summary>Throws unless the decoder weights have cross-attention (<c>encoder_attn</c>), i.e. are text-conditioned
    /// MusicGen; a Melody-shaped decoder otherwise fails later with only a missing tensor name.</summary>
    /// <exception cref="SmitinException">no cross-attention weights: the message names the likely architecture</exception>
    public static void CheckWeights(Checkpoint ckpt, string folder)
    {
        if (ckpt.Keys.Any(k => k.StartsWith("decoder.", StringComparison.Ordinal) && k.Contains(".encoder_attn.", StringComparison.Ordinal))) return;
        if (!ckpt.Keys.Any(k => k.StartsWith("decoder.", StringComparison.Ordinal))) return;   // no decoder at all: the decoder loader names what is missing
        throw new SmitinException($"{folder}: the decoder weights have no cross-attention (no 'decoder.…encoder_attn.*' tensors): " +
            $"this is not text-conditioned MusicGen but probably {Known["musicgen_melody"]}, which is not implemented; Smitin supports {Supported}");
    }

    static string Describe(string modelType, List<string> classes)
    {
        string what = Known.TryGetValue(modelType, out var d) ? d : classes.Count > 0 ? string.Join(", ", classes) : "";
        return what.Length == 0 ? "" : $" ({what})";
    }
}
