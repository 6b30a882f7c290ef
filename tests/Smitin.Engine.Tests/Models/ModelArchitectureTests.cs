using Smitin.Models;

namespace Smitin.Tests.Models;

/// <summary>Issue 17 item 3: checkpoints of an architecture the engine does not implement (or whose config and weights
/// disagree) are refused, naming it and what is supported, instead of running as plain MusicGen or failing on a missing tensor.</summary>
public sealed class ModelArchitectureTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static void AssertRefusal(string message, string architecture)
    {
        Assert.Contains(architecture, message);
        Assert.Contains("not implemented", message);
        Assert.Contains("Smitin supports model_type 'musicgen' (MusicgenForConditionalGeneration", message);
        Assert.Contains("'musicgen_melody' (MusicgenMelodyForConditionalGeneration", message);
    }

    [Fact]
    public async Task A_melody_config_over_plain_MusicGen_weights_is_refused_not_run_as_plain_MusicGen()
    {
        string dir = FixtureCopy.Copy(_dir["melody-config"], "reference.safetensors");
        FixtureCopy.SetConfigField(dir, "model_type", "\"musicgen_melody\"");
        FixtureCopy.SetConfigField(dir, "architectures", "[\"MusicgenMelodyForConditionalGeneration\"]");

        Assert.Contains("model_type 'musicgen_melody' needs decoder.model_type 'musicgen_melody_decoder'",
            Assert.Throws<SmitinException>(() => MusicGenConfig.Load(dir)).Message);
        var (code, error) = await CliHost.RunCapturingErrors("generate", "--model", dir, "--text", "rock", "--max-new-tokens", "8", "--out", _dir["o.wav"]);
        Assert.Equal(1, code);
        Assert.Contains("musicgen_melody", error);
        Assert.False(File.Exists(_dir["o.wav"]));
    }

    [Fact]
    public void Another_architecture_class_or_model_type_is_refused_by_name()
    {
        string dir = FixtureCopy.Copy(_dir["causal"], "reference.safetensors");
        FixtureCopy.SetConfigField(dir, "architectures", "[\"MusicgenForCausalLM\"]");
        AssertRefusal(Assert.Throws<SmitinException>(() => MusicGenConfig.Load(dir)).Message, "architectures [MusicgenForCausalLM]");
        FixtureCopy.SetConfigField(dir, "architectures", "[\"MusicgenForConditionalGeneration\"]");
        FixtureCopy.SetConfigField(dir, "model_type", "\"bark\"");
        AssertRefusal(Assert.Throws<SmitinException>(() => MusicGenConfig.Load(dir)).Message, "model_type 'bark'");
        FixtureCopy.SetConfigField(dir, "model_type", "\"musicgen_decoder\"");
        AssertRefusal(Assert.Throws<SmitinException>(() => MusicGenConfig.Load(dir)).Message, "model_type 'musicgen_decoder' (a bare MusicGen decoder");
        FixtureCopy.SetConfigField(dir, "model_type", "\"musicgen_melody\"");                  // class and type disagree
        AssertRefusal(Assert.Throws<SmitinException>(() => MusicGenConfig.Load(dir)).Message, "architectures [MusicgenForConditionalGeneration] is not implemented for model_type 'musicgen_melody'");
        FixtureCopy.SetConfigField(dir, "model_type", "\"musicgen\"");
        Assert.Equal(2, MusicGenConfig.Load(dir).Decoder.NumHiddenLayers);        // the implemented one still loads
    }

    [Fact]
    public void Melody_shaped_weights_without_cross_attention_are_named_as_such()
    {
        string dir = FixtureCopy.Copy(_dir["melody-weights"], "reference.safetensors");
        FixtureCopy.DropTensors(dir, k => k.Contains(".encoder_attn.", StringComparison.Ordinal) || k.Contains(".encoder_attn_layer_norm.", StringComparison.Ordinal));
        var e = Assert.Throws<SmitinException>(() => TinyModel.Load(dir));
        Assert.Contains("no cross-attention", e.Message);
        AssertRefusal(e.Message, "MusicGen Melody");
    }
}
