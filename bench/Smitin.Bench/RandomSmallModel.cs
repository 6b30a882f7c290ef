using System.Text.Json.Nodes;
using Smitin.IO;
using Smitin.Models;
using Smitin.Models.Codec;
using Smitin.Models.Decoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Bench;

/// <summary>
/// A model folder with musicgen-small's decoder (24 layers x 16 heads, hidden 1024, ffn 4096, 4 x 2048 codes) and
/// EnCodec 32 kHz shapes (64 filters, hidden 128, ratios 8-5-4-4, 2048-entry codebooks), random weights. The text
/// encoder is the fixture's tiny T5: unconditional capture never runs it. Written once (about 2 GB) under
/// <c>CacheDirs.Root/bench</c> and reused.
/// </summary>
static class RandomSmallModel
{
    public static string Ensure(string fixtureDir)
    {
        string dir = Path.Combine(CacheDirs.Root, "bench", "musicgen-small-random-v1");
        if (File.Exists(Path.Combine(dir, "model.safetensors"))) return dir;
        Directory.CreateDirectory(dir);
        Console.Error.WriteLine($"bench: writing a random musicgen-small-shaped model to {dir} (once)");

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(fixtureDir, "config.json")))!;
        var dec = config["decoder"]!;
        dec["hidden_size"] = 1024; dec["num_hidden_layers"] = 24; dec["num_attention_heads"] = 16; dec["ffn_dim"] = 4096;
        dec["vocab_size"] = 2048; dec["num_codebooks"] = 4; dec["max_position_embeddings"] = 2048;
        dec["pad_token_id"] = 2048; dec["bos_token_id"] = 2048;
        var enc = config["audio_encoder"]!;
        enc["num_filters"] = 64; enc["hidden_size"] = 128; enc["codebook_dim"] = 128; enc["codebook_size"] = 2048;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        var gen = JsonNode.Parse(File.ReadAllText(Path.Combine(fixtureDir, "generation_config.json")))!;
        gen["bos_token_id"] = 2048; gen["decoder_start_token_id"] = 2048; gen["pad_token_id"] = 2048;
        File.WriteAllText(Path.Combine(dir, "generation_config.json"), gen.ToJsonString());
        foreach (var f in new[] { "spiece.model", "tokenizer_config.json", "special_tokens_map.json", "preprocessor_config.json" })
            if (File.Exists(Path.Combine(fixtureDir, f))) File.Copy(Path.Combine(fixtureDir, f), Path.Combine(dir, f), overwrite: true);

        var cfg = MusicGenConfig.Load(dir);
        var tensors = new Dictionary<string, Tensor>();
        using var scope = torch.NewDisposeScope();
        using (var fixture = SafeTensorsFile.Open(Path.Combine(fixtureDir, "model.safetensors")))
            foreach (var key in fixture.Keys.Where(k => k.StartsWith("text_encoder.", StringComparison.Ordinal)))
                tensors[key] = fixture.Read(key);
        var gen0 = new torch.Generator(1234);
        tensors["enc_to_dec_proj.weight"] = torch.randn(1024, cfg.TextEncoder.DModel, generator: gen0) / Math.Sqrt(cfg.TextEncoder.DModel);
        tensors["enc_to_dec_proj.bias"] = torch.zeros(1024);
        using var lm = new MusicGenLm(cfg.Decoder);
        foreach (var (k, v) in lm.state_dict()) tensors["decoder." + k] = v;
        using var codec = new EncodecModel(cfg.AudioEncoder);
        foreach (var (k, v) in codec.state_dict())
            tensors["audio_encoder." + k] = k.EndsWith("codebook.embed", StringComparison.Ordinal) ? torch.randn(v.shape, generator: gen0) : v;
        SafeTensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return dir;
    }
}
