using System.Text.Json;
using Smitin.IO;

namespace Smitin.Models;

/// <summary>
/// Which checkpoint architectures this engine implements, and the refusal of every other one: the single place to
/// extend when an architecture gains support. Read from <c>config.json</c>'s <c>model_type</c> and <c>architectures</c>
/// (Hugging Face <c>PretrainedConfig</c>), and checked again on the weights (a plain MusicGen config over a decoder
/// without cross-attention is Melody-shaped weights, not text-conditioned MusicGen).
/// </summary>
public static class ModelArchitecture
{
    /// <summary>Implemented <c>model_type</c> → its <c>architectures</c> class (Hugging Face transformers).</summary>
    public static readonly IReadOnlyDictionary<string, string> Implemented = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["musicgen"] = "MusicgenForConditionalGeneration",
        ["musicgen_melody"] = "MusicgenMelodyForConditionalGeneration",
    };

    /// <summary>Known but unimplemented <c>model_type</c>s, described for the refusal.</summary>
    static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["musicgen_decoder"] = "a bare MusicGen decoder (MusicgenForCausalLM: no text encoder, no audio codec)",
        ["musicgen_melody_decoder"] = "a bare MusicGen Melody decoder (MusicgenMelodyForCausalLM)",
    };

    /// <summary>What the engine supports, for messages.</summary>
    public static string Supported =>
        "model_type 'musicgen' (MusicgenForConditionalGeneration: facebook/musicgen-small, -medium, -large, -stereo-*) and " +
        "'musicgen_melody' (MusicgenMelodyForConditionalGeneration: facebook/musicgen-melody, -melody-large, -stereo-melody-*)";

    /// <summary>
    /// Throws unless <c>config.json</c>'s <c>model_type</c> and <c>architectures</c> name an implemented architecture,
    /// and agree with each other. A config without <c>model_type</c> is read as <c>musicgen</c> (hand-written configs;
    /// the weights are checked at load by <see cref="CheckWeights"/>).
    /// </summary>
    /// <param name="root">the parsed <c>config.json</c></param>
    /// <param name="file">its path, for messages</param>
    /// <returns>the model type</returns>
    /// <exception cref="SmitinException">another architecture: the message names it and what is supported</exception>
    public static string Check(JsonElement root, string file)
    {
        string modelType = root.TryGetProperty("model_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "musicgen";
        var classes = root.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        if (!Implemented.TryGetValue(modelType, out var expectedClass))
            throw new SmitinException($"{file}: model_type '{modelType}'{(Known.TryGetValue(modelType, out var d) ? $" ({d})" : classes.Count > 0 ? $" ({string.Join(", ", classes)})" : "")} " +
                $"is not implemented; Smitin supports {Supported}");
        var other = classes.Where(c => c != expectedClass).ToList();
        if (other.Count > 0)
            throw new SmitinException($"{file}: architectures [{string.Join(", ", other)}] is not implemented for model_type '{modelType}' " +
                $"(expected {expectedClass}); Smitin supports {Supported}");
        return modelType;
    }

    /// <summary>Throws when a plain MusicGen config (<paramref name="melody"/> false) sits over decoder weights without
    /// cross-attention (<c>encoder_attn</c>): Melody-shaped weights would otherwise fail with only a missing tensor name.</summary>
    /// <exception cref="SmitinException">no cross-attention weights under a plain MusicGen config</exception>
    public static void CheckWeights(Checkpoint ckpt, string folder, bool melody)
    {
        if (melody) return;                                                               // Melody's decoder has none by design
        if (!ckpt.Keys.Any(k => k.StartsWith("decoder.", StringComparison.Ordinal))) return; // the decoder loader names what is missing
        if (ckpt.Keys.Any(k => k.StartsWith("decoder.", StringComparison.Ordinal) && k.Contains(".encoder_attn.", StringComparison.Ordinal))) return;
        throw new SmitinException($"{folder}: config.json says model_type 'musicgen' (text cross-attention), but the decoder weights have no " +
            "cross-attention (no 'decoder.…encoder_attn.*' tensors): they look like MusicGen Melody weights, whose config has model_type " +
            $"'musicgen_melody' and decoder.model_type 'musicgen_melody_decoder'; this mix is not implemented. Smitin supports {Supported}");
    }
}
